package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/planner"
)

func initCmd(g *globals, env *Env) *cobra.Command {
	var (
		force    bool
		registry string
	)
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write relctl.hcl and the workflows for this repository, then plan",
		Long: `Write relctl.hcl and three workflows (plan on pull requests, apply on the
release branch, drift on a schedule) for the repository in the working
directory, then run relctl plan and say what it means.

relctl.hcl takes the GitHub repository from the git remote origin, the
charts folder from where Chart.yaml files are, and a chart-releaser setup's
settings (helm/chart-releaser-action inputs, cr.yaml): each one found is
listed with the relctl setting it maps to. With GITHUB_TOKEN, the release tag
template follows the repository's existing release tags.

An existing file is never overwritten without --force; then nothing is
written.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dir, err := g.dir()
			if err != nil {
				return exitWith(exitError, err)
			}
			d, err := draftInit(ctx, env, dir, registry)
			if err != nil {
				return exitWith(exitError, fmt.Errorf("init: %w", err))
			}
			files, err := d.files()
			if err != nil {
				return exitWith(exitError, fmt.Errorf("init: %w", err))
			}
			if err := writeFiles(d.Top, files, force); err != nil {
				return exitWith(exitError, fmt.Errorf("init: %w", err))
			}
			st := g.style(env)
			fmt.Fprintln(env.Stdout, st.Bold("Found:"))
			for _, n := range d.Notes {
				fmt.Fprintln(env.Stdout, "  - "+n)
			}
			fmt.Fprintln(env.Stdout, st.Bold("\nWrote:"))
			for _, f := range files {
				fmt.Fprintln(env.Stdout, "  "+f.Path)
			}
			if len(d.CR.Workflows) > 0 {
				fmt.Fprintf(env.Stdout, "\nRemove the chart-releaser step from %s once you are happy with the plan: both would publish releases.\n", strings.Join(d.CR.Workflows, ", "))
			}
			return planAfterInit(cmd, g, env, d)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite relctl.hcl and the workflows when they exist")
	cmd.Flags().StringVar(&registry, "registry", "", "OCI repository for the charts, `HOST/PATH` (default ghcr.io/<owner>/<repo>)")
	return cmd
}

// planAfterInit runs relctl plan on the new spec and explains it: for a
// repository chart-releaser published, what is added (OCI pushes,
// signatures, assets) and whether any existing release would change.
func planAfterInit(cmd *cobra.Command, g *globals, env *Env, d *initDraft) error {
	if env.Getenv("GITHUB_TOKEN") == "" && env.Getenv("GH_TOKEN") == "" {
		fmt.Fprintln(env.Stdout, "\nNext: set GITHUB_TOKEN and run relctl plan to see what relctl would publish.")
		return nil
	}
	tmp, err := os.MkdirTemp("", "relctl-init-")
	if err != nil {
		return exitWith(exitError, err)
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "plan.json")
	fmt.Fprintln(env.Stdout, "\n$ relctl plan")
	code := run(cmd.Context(), append(g.flags(), "plan", "--out", path), env)
	p, err := readPlanFile(path)
	if err != nil {
		return exitWith(exitError, fmt.Errorf("relctl.hcl is written, but relctl plan did not finish (above); fix that and run relctl plan"))
	}
	explainPlan(env, p)
	if code != exitOK {
		return exitWith(code, nil)
	}
	return nil
}

// explainPlan says what the first plan means for a repository adopting
// relctl: additions are expected; a change to something already published
// deserves a look before the first apply, and a blocked change is named with
// what to do about it.
func explainPlan(env *Env, p *planner.ChangeSet) {
	var adds, pushes, signs, releases, assets int
	var changes, blocked []string
	var crPackages, adopted int
	pushed := map[string]bool{}
	for _, c := range p.Changes {
		if c.Type == planner.TypeOCIChart && c.Action == planner.ActionCreate {
			pushed[c.Chart] = true
		}
	}
	for _, c := range p.Changes {
		switch c.Action {
		case planner.ActionNoOp:
			// A release that keeps its .tgz while the registry lacks the
			// version: another tool's package, adopted by its chart files.
			if c.Type == planner.TypeReleaseAsset && strings.HasSuffix(c.Name, ".tgz") && pushed[c.Chart] {
				adopted++
			}
			continue
		case planner.ActionCreate:
			adds++
			switch c.Type {
			case planner.TypeOCIChart:
				pushes++
			case planner.TypeOCISignature:
				signs++
			case planner.TypeRelease:
				releases++
			case planner.TypeReleaseAsset:
				assets++
			}
			continue
		case planner.ActionBlocked:
			blocked = append(blocked, c.Address+": "+c.Reason)
			if c.Type == planner.TypeReleaseAsset && strings.HasSuffix(c.Name, ".tgz") && c.Before != nil {
				crPackages++
			}
			continue
		}
		changes = append(changes, fmt.Sprintf("%s (%s): %s", c.Address, strings.Join(c.Action.Actions(), ","), c.Reason))
	}
	w := env.Stdout
	fmt.Fprintln(w, "\nWhat this plan means:")
	if adds == 0 && len(changes) == 0 && len(blocked) == 0 {
		fmt.Fprintln(w, "  Nothing to do: everything relctl.hcl declares is published.")
	} else {
		fmt.Fprintf(w, "  Additions: %d chart push(es) to the registry, %d signature(s), %d new release(s), %d asset(s) added to releases.\n", pushes, signs, releases, assets)
	}
	if len(changes) == 0 {
		fmt.Fprintln(w, "  No published release changes.")
	} else {
		fmt.Fprintf(w, "  %d change(s) to what is already published; read them before the first apply:\n", len(changes))
		for _, c := range changes {
			fmt.Fprintln(w, "  - "+c)
		}
	}
	if len(blocked) > 0 {
		fmt.Fprintf(w, "  %d blocked: apply refuses this plan, and changes nothing, until they are resolved:\n", len(blocked))
		for _, b := range blocked {
			fmt.Fprintln(w, "  - "+b)
		}
	}
	if adopted > 0 {
		fmt.Fprintf(w, "  %d release(s) already carry the chart's .tgz, packaged by another tool from the same chart files (helm package stamps file times, so its bytes differ from relctl's reproducible package): relctl adopts it, pushes and signs those very bytes, and leaves the release's .tgz as it is.\n", adopted)
	}
	if crPackages > 0 {
		fmt.Fprintf(w, "  %d release(s) carry a .tgz relctl cannot adopt: its chart files differ from the chart folder's, or the registry already holds another archive of the version (the reasons above say which). Those versions stay untouched; the next version bump publishes with relctl.\n", crPackages)
	}
	fmt.Fprintln(w, "  Commit relctl.hcl and .github/workflows/relctl-*.yaml: pull requests then get this plan as a comment, and a push to the release branch applies it.")
}
