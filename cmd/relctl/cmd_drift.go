package main

import (
	"github.com/spf13/cobra"

	"github.com/relctl/relctl/cmd/relctl/views"
)

func driftCmd(g *globals, env *Env) *cobra.Command {
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Re-observe every declared chart version and report what drifted",
		Long: `Re-observe every declared chart version, ignoring charts.only_changed, and
report anything published that no longer matches relctl.hcl: a tag moved or
deleted, a signature missing, a release edited or an asset gone.

Exit codes: 0 in sync, 2 drift, 1 error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := observe(cmd.Context(), g, env, planOptions{all: true}, forReading)
			if err != nil {
				return err
			}
			if out.json || out.markdown {
				if err := out.render(env, g, o.plan); err != nil {
					return err
				}
			} else if err := views.Drift(env.Stdout, o.plan, g.style(env)); err != nil {
				return err
			}
			if o.plan.HasChanges() {
				return exitWith(exitChanges, nil)
			}
			return nil
		},
	}
	out.add(cmd)
	return cmd
}
