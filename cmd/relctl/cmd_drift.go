package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/ci"
	"github.com/relctl/relctl/cmd/relctl/views"
)

func driftCmd(g *globals, env *Env) *cobra.Command {
	var (
		out   outputFlags
		issue bool
	)
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Re-observe every declared chart version and report what drifted",
		Long: `Re-observe every declared chart version, ignoring charts.only_changed, and
report anything published that no longer matches relctl.hcl: a tag moved or
deleted, a signature missing, a release edited, an asset gone, or a chart
index entry (helm_repository) missing or pointing at other bytes.

With --issue, keeps one GitHub issue (labelled relctl-drift) in step: opened
or updated with the report while drifted, closed once in sync again. The
token then needs issues: write.

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
			if issue {
				if o.backend.releases == nil {
					return exitWith(exitError, errors.New("drift --issue needs a github block in relctl.hcl"))
				}
				var report bytes.Buffer
				if err := views.DriftMarkdown(&report, o.plan); err != nil {
					return err
				}
				did, err := ci.ReportDrift(cmd.Context(), o.backend.releases, o.plan.HasChanges(), report.String())
				if err != nil {
					return exitWith(exitError, fmt.Errorf("drift issue: %w", err))
				}
				if did != "" {
					fmt.Fprintln(env.Stderr, "Drift issue: "+did)
				}
			}
			if o.plan.HasChanges() {
				return exitWith(exitChanges, nil)
			}
			return nil
		},
	}
	out.add(cmd)
	cmd.Flags().BoolVar(&issue, "issue", false, "open, update or close a GitHub issue with the drift report")
	return cmd
}
