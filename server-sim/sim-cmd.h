/* sim-cmd.h - the hsm-sim subcommands; hsm-sim.c dispatches to them.
 * Each takes the arguments after its own name and returns the exit status. */
#ifndef HSM_SIM_CMD_H
#define HSM_SIM_CMD_H

int sim_cmd_init(int argc, char **argv);
int sim_cmd_start(int argc, char **argv);
int sim_cmd_stop(int argc, char **argv);
int sim_cmd_status(int argc, char **argv);
int sim_cmd_run(int argc, char **argv);
int sim_cmd_backup(int argc, char **argv);
int sim_cmd_restore(int argc, char **argv);
int sim_cmd_sync_config(int argc, char **argv);

#endif
