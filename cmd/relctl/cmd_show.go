package main

import (
	"github.com/spf13/cobra"
)

func showCmd(g *globals, env *Env) *cobra.Command {
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "show PLAN_FILE",
		Short: "Render a saved plan",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := readPlanFile(args[0])
			if err != nil {
				return exitWith(exitError, err)
			}
			return out.render(env, g, p)
		},
	}
	out.add(cmd)
	return cmd
}
