package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/ci"
	"github.com/relctl/relctl/cmd/relctl/views"
	"github.com/relctl/relctl/planner"
)

// outputFlags select a rendering.
type outputFlags struct {
	json, markdown bool
}

func (o *outputFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&o.json, "json", false, "print the versioned JSON format")
	cmd.Flags().BoolVar(&o.markdown, "markdown", false, "print Markdown (for a pull-request comment)")
	cmd.MarkFlagsMutuallyExclusive("json", "markdown")
}

func (o *outputFlags) render(env *Env, g *globals, p *planner.ChangeSet) error {
	switch {
	case o.json:
		return p.Write(env.Stdout)
	case o.markdown:
		return views.Markdown(env.Stdout, p)
	}
	return views.Plan(env.Stdout, p, g.style(env))
}

func planCmd(g *globals, env *Env) *cobra.Command {
	var (
		po       planOptions
		out      outputFlags
		file     string
		detailed bool
		comment  bool
	)
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Observe the registry and GitHub, and show what apply would do",
		Long: `Observe the registry and GitHub, and show what apply would do.

Exit codes: 0 no changes (or changes without --detailed-exitcode), 1 error or
blocked changes, 2 changes present (--detailed-exitcode).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := observe(cmd.Context(), g, env, po, forReading)
			if err != nil {
				return err
			}
			if err := out.render(env, g, o.plan); err != nil {
				return err
			}
			if file != "" {
				if err := writePlanFile(file, o.plan); err != nil {
					return err
				}
				if !out.json {
					fmt.Fprintf(env.Stderr, "\nSaved the plan to %s. To apply exactly this plan: relctl apply %s\n", file, file)
				}
			}
			stepSummary(env, o.plan)
			if comment {
				if err := commentPlan(cmd.Context(), env, o); err != nil {
					// The plan stands; a pull request from a fork has
					// a read-only token.
					fmt.Fprintf(env.Stderr, "%s %v\n", g.style(env).Yellow("Warning:"), err)
				}
			}
			switch {
			case len(o.plan.Blocked()) > 0:
				return exitWith(exitError, nil)
			case detailed && o.plan.HasChanges():
				return exitWith(exitChanges, nil)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "out", "", "save the plan to `FILE` for relctl apply")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when there are changes")
	cmd.Flags().BoolVar(&comment, "comment", false, "post the plan on the pull request of $GITHUB_EVENT_PATH, editing relctl's earlier comment")
	cmd.Flags().StringVar(&po.base, "base", "", "with charts.only_changed: compare with `REF` (default origin/$GITHUB_BASE_REF)")
	cmd.Flags().BoolVar(&po.all, "all", false, "take every chart, ignoring charts.only_changed")
	cmd.Flags().IntVar(&po.parallelism, "parallelism", 4, "charts observed at once (eight times this: mostly registry requests; packaging uses every core)")
	out.add(cmd)
	return cmd
}

func writePlanFile(path string, p *planner.ChangeSet) error {
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		return err
	}
	// 0600: the plan holds no secret, but it is an instruction to publish.
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}

// maxStepSummary is GitHub's limit per step: over it the whole summary is
// dropped, so relctl writes nothing rather than lose it. The views render
// within it; this check stays as the last guard.
const maxStepSummary = views.MaxStepSummary

// stepSummary appends the plan in Markdown to $GITHUB_STEP_SUMMARY.
func stepSummary(env *Env, p *planner.ChangeSet) {
	appendStepSummary(env, func(buf *bytes.Buffer) error { return views.MarkdownLimit(buf, p, views.MaxStepSummary) })
}

// appendStepSummary appends what render writes to $GITHUB_STEP_SUMMARY,
// when set. The summary is a courtesy beside the command's real output: a
// failure to write it is a warning on stderr, never silent and never the
// command's failure.
func appendStepSummary(env *Env, render func(*bytes.Buffer) error) {
	path := env.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return
	}
	if err := writeStepSummary(path, render); err != nil {
		fmt.Fprintf(env.Stderr, "Warning: step summary not written: %v\n", err)
	}
}

func writeStepSummary(path string, render func(*bytes.Buffer) error) (err error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	if buf.Len() > maxStepSummary {
		return fmt.Errorf("%d bytes, over GitHub's limit of %d (GitHub would drop the whole summary)", buf.Len(), maxStepSummary)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		// Close reports what a buffered write could not.
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if _, err := f.Write(buf.Bytes()); err != nil {
		return err
	}
	return nil
}

// commentPlan posts the plan in Markdown on the pull request that triggered
// the workflow.
func commentPlan(ctx context.Context, env *Env, o *observed) error {
	if o.backend.releases == nil {
		return errors.New("plan --comment needs a github block in relctl.hcl")
	}
	pr, err := pullRequestNumber(env.Getenv("GITHUB_EVENT_PATH"))
	if err != nil {
		return fmt.Errorf("plan --comment: %w", err)
	}
	author, err := ci.CommentAuthor(ctx, o.backend.releases, env.Getenv("GITHUB_ACTIONS") == "true")
	if err != nil {
		return fmt.Errorf("plan --comment: %w", err)
	}
	var body bytes.Buffer
	if err := views.MarkdownLimit(&body, o.plan, ci.MaxPlanBody); err != nil {
		return err
	}
	did, err := ci.PostPlanComment(ctx, o.backend.releases, pr, body.String(), author)
	if err != nil {
		return fmt.Errorf("plan comment: %w", err)
	}
	fmt.Fprintln(env.Stderr, "Plan comment: "+did)
	return nil
}

// pullRequestNumber reads the pull request's number from a GitHub Actions
// event payload (pull_request and pull_request_target events).
func pullRequestNumber(path string) (int, error) {
	if path == "" {
		return 0, errors.New("GITHUB_EVENT_PATH is not set: run in a pull_request workflow")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read the event: %w", err)
	}
	var ev struct {
		PullRequest *struct {
			Number int `json:"number"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		return 0, fmt.Errorf("read the event %s: %w", path, err)
	}
	if ev.PullRequest == nil || ev.PullRequest.Number == 0 {
		return 0, fmt.Errorf("the event %s is not a pull request's", path)
	}
	return ev.PullRequest.Number, nil
}
