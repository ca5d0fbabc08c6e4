/* newsstand — progressive enhancement only: every page works without it.
 * Keeps relative times fresh on cached pages and tidies search forms. */
(function () {
	"use strict";

	function relative(then, now) {
		var d = Math.round((now - then) / 1000);
		if (d < 60) return "just now";
		if (d < 3600) return Math.floor(d / 60) + " min ago";
		if (d < 7200) return "1 hour ago";
		if (d < 86400) return Math.floor(d / 3600) + " hours ago";
		if (d < 172800) return "yesterday";
		if (d < 604800) return Math.floor(d / 86400) + " days ago";
		return null;
	}

	function refreshTimes() {
		var now = Date.now();
		var times = document.querySelectorAll("time[datetime]");
		for (var i = 0; i < times.length; i++) {
			var t = times[i];
			if (t.closest && t.closest(".abs-time")) continue;
			var then = Date.parse(t.getAttribute("datetime"));
			if (isNaN(then)) continue;
			var text = relative(then, now);
			if (text && t.textContent !== text) t.textContent = text;
		}
	}

	/* Drop empty filters so shared search links stay short. */
	function tidyForms() {
		var forms = document.querySelectorAll("form[role=search]");
		for (var i = 0; i < forms.length; i++) {
			forms[i].addEventListener("submit", function (ev) {
				var form = ev.currentTarget;
				var q = form.querySelector("input[name=q]");
				if (q && !q.value.trim()) {
					ev.preventDefault();
					q.focus();
					return;
				}
				var fields = form.querySelectorAll("select, input[type=date]");
				for (var k = 0; k < fields.length; k++)
					if (!fields[k].value) fields[k].disabled = true;
			});
		}
	}

	function start() {
		document.documentElement.classList.add("js");
		refreshTimes();
		tidyForms();
		setInterval(refreshTimes, 60000);
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", start);
	else
		start();
})();
