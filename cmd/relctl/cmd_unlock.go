package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/providers/github"
)

func forceUnlockCmd(g *globals, env *Env) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "force-unlock LOCK_ID",
		Short: "Release the apply lock left by an apply that died",
		Long: `Release the apply lock of the spec's GitHub repository, if it is held under
LOCK_ID (the ID the refused or waiting apply printed). Another ID is refused.

Only for a holder that is gone (a cancelled or killed run): a killed apply's
lock also ends by itself once its lease runs out (10 minutes). An apply still
running under the lock notices at its next lease renewal (within 3m20s) and
stops there, before any further request. Asks for confirmation on a
terminal unless --force.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			id := strings.TrimSpace(args[0])
			spec, err := loadSpec(g, env)
			if err != nil {
				return err
			}
			gh, err := lockClient(spec, env)
			if err != nil {
				return exitWith(exitError, err)
			}
			holder, held, err := gh.LockHolder(ctx, "")
			switch {
			case err != nil:
				return exitWith(exitError, err)
			case !held:
				return exitWith(exitError, fmt.Errorf("nobody holds the apply lock of %s; nothing to unlock", gh.Repository()))
			case holder.ID != id:
				return exitWith(exitError, fmt.Errorf("the apply lock of %s is held by %s, not %s; nothing was unlocked", gh.Repository(), holder, id))
			}
			if !force {
				if err := confirmUnlock(env, gh.Repository(), holder); err != nil {
					return exitWith(exitError, err)
				}
			}
			ended, err := gh.ForceUnlock(ctx, "", id)
			if err != nil {
				return exitWith(exitError, err)
			}
			fmt.Fprintf(env.Stdout, "Released the apply lock of %s held by %s.\n", gh.Repository(), ended)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "do not ask for confirmation")
	return cmd
}

// confirmUnlock asks a person; anything but "yes" cancels, and without a
// terminal there is nobody to ask.
func confirmUnlock(env *Env, repo string, holder github.LockInfo) error {
	if !env.IsTerminal {
		return errors.New("force-unlock needs confirmation: run it in a terminal, or pass --force")
	}
	fmt.Fprintf(env.Stdout, "The apply lock of %s is held by %s (lease until %s).\n", repo, holder, holder.Expires.Format("2006-01-02T15:04:05Z07:00"))
	fmt.Fprint(env.Stdout, "\nDo you really want to force-unlock?\n  An apply still running under it would stop at its next lease renewal.\n  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ")
	line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return errors.New("force-unlock cancelled")
	}
	return nil
}
