package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/cmd/relctl/views"
	"github.com/relctl/relctl/planner"
	"github.com/relctl/relctl/state"
)

func applyCmd(g *globals, env *Env) *cobra.Command {
	var (
		po          planOptions
		lf          lockFlags
		autoApprove bool
		asJSON      bool
		result      string
	)
	cmd := &cobra.Command{
		Use:   "apply [PLAN_FILE]",
		Short: "Publish: push, sign, create releases, upload assets, publish",
		Long: `Publish what the plan says: push, sign, create releases as drafts, upload
and confirm every asset, then publish.

With PLAN_FILE, applies that saved plan, and refuses it when the spec, the
charts or the remote changed since it was made. Without, plans first and asks
for confirmation (or takes --auto-approve).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// --parallelism counts the charts applied at once; the plan
			// made first observes eight times as many, as plan does, at
			// most as many as plan's default.
			applyN := applyParallelism(po.parallelism)
			po.parallelism = min(applyN, defaultParallelism)
			if asJSON && len(args) == 0 && !autoApprove {
				// A program reading JSON cannot answer a prompt.
				return exitWith(exitError, errors.New("apply --json needs --auto-approve or a saved plan file"))
			}
			var saved *planner.ChangeSet
			if len(args) == 1 {
				p, err := readPlanFile(args[0])
				if err != nil {
					return exitWith(exitError, err)
				}
				saved = p
				if len(saved.Changes) == 0 {
					fmt.Fprintln(env.Stdout, "No changes. The saved plan covers no chart.")
					return nil
				}
				// A saved plan covers the charts it was made for, however
				// they were selected then (--base, only_changed).
				po.all, po.only = true, saved.Charts()
			}
			o, err := observe(ctx, g, env, po, forWriting)
			if err != nil {
				return err
			}
			if saved != nil {
				if err := planner.CheckStale(saved, o.plan); err != nil {
					return exitWith(exitError, err)
				}
			}
			if !asJSON && saved == nil {
				if err := views.Plan(env.Stdout, o.plan, g.style(env)); err != nil {
					return err
				}
			}
			if len(o.plan.Blocked()) > 0 {
				err := fmt.Errorf("%w: nothing was applied", planner.ErrBlocked)
				if asJSON {
					err = errors.Join(err, jsonWritten(views.ApplyJSON(env.Stdout, nil, err)))
				}
				writeResult(env, result, nil, err)
				return exitWith(exitError, err)
			}
			if !o.plan.HasChanges() {
				writeResult(env, result, &planner.Result{}, nil)
				if asJSON {
					return views.ApplyJSON(env.Stdout, &planner.Result{}, nil)
				}
				if saved != nil {
					fmt.Fprintln(env.Stdout, "No changes. Published charts match relctl.hcl.")
				}
				return nil
			}
			if saved == nil && !autoApprove {
				if err := confirm(env); err != nil {
					return exitWith(exitError, err)
				}
			}
			lk, locked, err := lockForApply(ctx, env, lf, po, o)
			if err != nil {
				if asJSON {
					views.ApplyJSON(env.Stdout, nil, err)
				}
				return err
			}
			defer lk.release()
			if lk != nil {
				more, err := checkUnderLock(env, g, saved, o.plan, locked.plan, autoApprove, asJSON)
				if !more || err != nil {
					return err
				}
				o, ctx = locked, lk.ctx
			}
			hook := planner.Hook(&views.Progress{W: env.Stdout, Style: g.style(env)})
			if asJSON {
				hook = nil
			}
			prefetchPushTokens(ctx, o)
			res, applyErr := planner.Apply(ctx, o.plan, o.spec, o.snap, o.backend.writers(), planner.ApplyOptions{
				Parallelism:       applyN,
				GitHubParallelism: o.backend.gitHubParallelism(applyN),
				Hook:              hook,
			})
			applyErr = lk.explain(applyErr)
			if res != nil {
				server := env.Getenv("GITHUB_SERVER_URL")
				if server == "" {
					server = "https://github.com"
				}
				appendStepSummary(env, func(buf *bytes.Buffer) error { return views.ApplyMarkdown(buf, o.plan, res, server) })
			}
			writeResult(env, result, res, applyErr)
			if asJSON {
				// A script reading the JSON must not take a write that
				// failed (a closed pipe, a full disk) for silence.
				if err := jsonWritten(views.ApplyJSON(env.Stdout, res, applyErr)); err != nil {
					return exitWith(exitError, errors.Join(applyErr, err))
				}
			} else if res != nil {
				views.ApplySummary(env.Stdout, res, g.style(env))
			}
			if applyErr != nil {
				return exitWith(exitError, applyErr)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply without asking")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result in the versioned JSON format")
	cmd.Flags().StringVar(&result, "result", "", "also write the result in the --json format to `FILE`, whatever is printed")
	cmd.Flags().IntVar(&po.parallelism, "parallelism", defaultApplyParallelism, "charts applied at once (mostly waiting on the registry); GitHub writes one chart at a time where they are paced (github.com); the plan made first observes 8 × this, at most 32; packaging uses every core")
	cmd.Flags().StringVar(&po.base, "base", "", "with charts.only_changed: compare with `REF`")
	cmd.Flags().BoolVar(&po.all, "all", false, "take every chart, ignoring charts.only_changed")
	lf.register(cmd)
	return cmd
}

// defaultApplyParallelism is how many charts apply writes at once by
// default: as many as plan observes at once (8 × defaultParallelism). A
// chart's writes are a chain of round trips (push, sign, release, six
// uploads) with little CPU between them (packaging happened in the plan);
// GitHub gets its own bound (backend.gitHubParallelism).
const defaultApplyParallelism = 8 * defaultParallelism

// applyParallelism is how many charts are applied at once, for
// --parallelism n: n, or the default when n <= 0.
func applyParallelism(n int) int {
	if n <= 0 {
		return defaultApplyParallelism
	}
	return n
}

func readPlanFile(path string) (*planner.ChangeSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open plan: %w", err)
	}
	defer f.Close()
	p, err := planner.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// confirm asks a person; anything but "yes" cancels. Without a terminal
// there is nobody to ask, and apply must not guess.
func confirm(env *Env) error {
	if !env.IsTerminal {
		return errors.New("apply needs confirmation: run it in a terminal, or pass --auto-approve (CI), or apply a saved plan: relctl plan --out plan.json && relctl apply plan.json")
	}
	fmt.Fprint(env.Stdout, "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
	line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return errors.New("apply cancelled")
	}
	return nil
}

// jsonWritten names a failure to write the JSON result.
func jsonWritten(err error) error {
	if err != nil {
		return fmt.Errorf("write the JSON result: %w", err)
	}
	return nil
}

// prefetchPushTokens asks a registry with bearer tokens (GHCR) for the
// write tokens of every chart repository the plan writes to, several
// repositories a request, rather than one token request before each
// chart's first write. An open registry costs nothing more: its scheme is
// known from the plan's reads.
func prefetchPushTokens(ctx context.Context, o *observed) {
	if o.backend.registry == nil {
		return
	}
	seen := map[string]bool{}
	var repos []string
	for _, ch := range o.plan.Changes {
		switch ch.Type {
		case planner.TypeOCIChart, planner.TypeOCISignature, planner.TypeOCIAttestation:
		default:
			continue
		}
		if ch.Action == planner.ActionNoOp || ch.Chart == "" {
			continue
		}
		if r := state.Repository(o.spec, ch.Chart); !seen[r] {
			seen[r] = true
			repos = append(repos, r)
		}
	}
	if len(repos) > 1 {
		o.backend.registry.PrefetchPushTokens(ctx, repos)
	}
}
