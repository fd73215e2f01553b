package main

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/config"
)

func fmtCmd(g *globals, env *Env) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "fmt",
		Short: "Rewrite *.hcl files in the canonical format",
		Long:  "Rewrite *.hcl files in the canonical format. With --check, only list the files that are not formatted and exit 3 if any.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := g.dir()
			if err != nil {
				return exitWith(exitError, err)
			}
			changed, diags := config.FormatDir(dir, !check)
			if diags.HasErrors() {
				var buf bytes.Buffer
				config.NewParser().WriteDiagnostics(&buf, diags, g.style(env).Color)
				env.Stderr.Write(buf.Bytes())
				return exitWith(exitError, nil)
			}
			for _, f := range changed {
				fmt.Fprintln(env.Stdout, f)
			}
			if check && len(changed) > 0 {
				return exitWith(exitFormat, nil)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "only check; exit 3 when a file is not formatted")
	return cmd
}
