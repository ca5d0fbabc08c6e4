# Static assets of the reading app (CSS, JS, icons), compiled into the
# binary as $(BUILD)/gen/web_assets.c. The server serves each under a
# content-hashed name (/static/app.<hash>.css).

ASSET_FILES := assets/app.css assets/app.js $(sort $(wildcard assets/icons/*.svg))
ASSET_GEN := $(BUILD)/gen/web_assets.c

GEN_SRCS += $(ASSET_GEN)

$(ASSET_GEN): $(ASSET_FILES) assets/embed.sh mk/assets.mk
	@mkdir -p $(@D)
	assets/embed.sh $@ $(ASSET_FILES)

# The object of a generated source sits beside it in $(BUILD)/gen.
$(ASSET_GEN:.c=.o): $(ASSET_GEN)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(ASSET_GEN:.c=.d)
