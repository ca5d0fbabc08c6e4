/*
 * commands.h — the subcommands of the newsstand binary. Each takes argv with
 * argv[0] = its own name and returns an exit code (0 ok, 1 failure, 2 usage).
 */
#ifndef NEWSSTAND_MAIN_COMMANDS_H
#define NEWSSTAND_MAIN_COMMANDS_H

int cmd_bench(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_feed(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_opml(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_payouts(int argc, char **argv);
int cmd_publisher(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
