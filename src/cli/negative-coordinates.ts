import type { Command } from 'commander';

/**
 * Lets a subcommand take arguments that start with a minus sign — western longitudes and southern
 * latitudes such as `-83.03,39.94` — as typed, without `--`. Commander would read them as options;
 * here unknown "options" that look like numbers stay arguments, and anything else that looks like an
 * option is still refused as unknown.
 */
export function acceptNegativeCoordinates(command: Command): Command {
  return command.allowUnknownOption().hook('preAction', (_this, action) => {
    for (const arg of action.args) {
      if (/^-/.test(arg) && !/^-\.?\d/.test(arg)) {
        action.error(`error: unknown option '${arg}'`, { code: 'commander.unknownOption', exitCode: 1 });
      }
    }
  });
}

