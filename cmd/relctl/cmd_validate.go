package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/planner"
)

func validateCmd(g *globals, env *Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check relctl.hcl and the charts it names, offline",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !asJSON {
				spec, err := loadSpec(g, env)
				if err != nil {
					return err
				}
				if diags := dependencyDiagnostics(spec, env); len(diags) > 0 {
					for _, d := range diags {
						fmt.Fprintf(env.Stderr, "Error: %s: %s\n", d.Summary, d.Detail)
					}
					return exitWith(exitError, nil)
				}
				fmt.Fprintln(env.Stdout, g.style(env).Green("Success!")+" The configuration is valid.")
				return nil
			}
			dir, err := g.dir()
			if err != nil {
				return exitWith(exitError, err)
			}
			p := config.NewParser()
			spec, diags := p.Load(config.LoadOptions{Dir: dir, Vars: g.vars, VarFiles: g.varFiles, Getenv: env.Getenv, Environ: env.Environ})
			var depDiags []config.Diagnostic
			if !diags.HasErrors() {
				depDiags = dependencyDiagnostics(spec, env)
			}
			out := struct {
				FormatVersion string              `json:"format_version"`
				Valid         bool                `json:"valid"`
				ErrorCount    int                 `json:"error_count"`
				WarningCount  int                 `json:"warning_count"`
				Diagnostics   []config.Diagnostic `json:"diagnostics"`
			}{FormatVersion: planner.FormatVersion, Valid: !diags.HasErrors() && len(depDiags) == 0, Diagnostics: append(p.DiagnosticsJSON(diags), depDiags...)}
			if out.Diagnostics == nil {
				out.Diagnostics = []config.Diagnostic{}
			}
			out.ErrorCount = len(diags.Errs()) + len(depDiags)
			out.WarningCount = len(diags) - len(diags.Errs())
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(out); err != nil {
				return err
			}
			if !out.Valid {
				return exitWith(exitError, nil)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print diagnostics in the versioned JSON format")
	return cmd
}
