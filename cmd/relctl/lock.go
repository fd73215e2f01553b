package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/relctl/relctl/cmd/relctl/views"
	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/planner"
	"github.com/relctl/relctl/providers/github"
)

// lockFlags are apply's say over the apply lock.
type lockFlags struct {
	enabled bool
	timeout time.Duration
	lease   time.Duration
}

func (lf *lockFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&lf.enabled, "lock", true, "hold the apply lock in the GitHub repository while writing (--lock=false: do not)")
	cmd.Flags().DurationVar(&lf.timeout, "lock-timeout", 0, "wait up to `DURATION` for another apply to finish (0: fail at once)")
	// The lease is renewed while apply runs, so only tests and odd setups
	// have a reason to change it.
	cmd.Flags().DurationVar(&lf.lease, "lock-lease", github.DefaultLease, "how long the lock outlives a killed apply")
	_ = cmd.Flags().MarkHidden("lock-lease")
}

// applyLock is a held apply lock: ctx is what writes run under, cancelled
// if the lock is lost.
type applyLock struct {
	lock *github.Lock
	ctx  context.Context
	stop func()
	env  *Env
}

// lockForApply takes the apply lock of the spec's GitHub repository, then
// observes again under it: another apply may have published while this one
// planned or waited, and what is applied must be planned from what the
// remote holds now. With the lock off, or no GitHub repository to hold it
// in, it returns nil and o unchanged.
func lockForApply(ctx context.Context, env *Env, lf lockFlags, po planOptions, o *observed) (*applyLock, *observed, error) {
	if !lf.enabled || o.backend.releases == nil {
		return nil, o, nil
	}
	gh := o.backend.releases
	lock, err := gh.AcquireLock(ctx, lockHolder(env), github.LockOptions{
		Wait:  lf.timeout,
		Lease: lf.lease,
		OnWait: func(h github.LockInfo) {
			fmt.Fprintf(env.Stderr, "Waiting up to %s for the apply lock, held by %s\n", lf.timeout, h)
		},
		OnTakeover: func(h github.LockInfo) {
			fmt.Fprintf(env.Stderr, "Took over the apply lock from %s: its lease ended %s\n", h, h.Expires.Format(time.RFC3339))
		},
	})
	var locked *github.LockedError
	if errors.As(err, &locked) {
		return nil, nil, exitWith(exitError, lockedMessage(gh.Repository(), locked))
	}
	if err != nil {
		return nil, nil, exitWith(exitError, err)
	}
	held, stop := lock.Keep(ctx)
	lk := &applyLock{lock: lock, ctx: held, stop: stop, env: env}
	again, err := reobserve(held, env, po, o)
	if err != nil {
		lk.release()
		return nil, nil, err
	}
	return lk, again, nil
}

func lockedMessage(repo string, e *github.LockedError) error {
	waited := ""
	if e.Waited > 0 {
		waited = fmt.Sprintf(" after waiting %s", e.Waited.Round(time.Second))
	}
	return fmt.Errorf("%s is %w (lease until %s)%s; nothing was applied. Wait (relctl apply --lock-timeout 10m), or run `relctl force-unlock %s` if that run is dead",
		repo, e, e.Holder.Expires.Format(time.RFC3339), waited, e.Holder.ID)
}

// reobserve refreshes and plans again with the spec and providers of o, as
// observe does.
func reobserve(ctx context.Context, env *Env, po planOptions, o *observed) (*observed, error) {
	snap, p, err := refreshAndPlan(ctx, o.spec, o.backend, refreshOptions(ctx, o.spec, env, po))
	if err != nil {
		return nil, err
	}
	return &observed{spec: o.spec, backend: o.backend, snap: snap, plan: p}, nil
}

// checkUnderLock compares the plan made under the lock with the one made
// before it, and reports whether anything is left to apply. A saved plan
// must still hold (CheckStale). A plan a person approved must not have
// changed. With --auto-approve the new plan is what gets applied, shown
// when it differs.
func checkUnderLock(env *Env, g *globals, saved, before, now *planner.ChangeSet, autoApprove, asJSON bool) (bool, error) {
	changed := planner.CheckStale(before, now) != nil
	switch {
	case saved != nil:
		if err := planner.CheckStale(saved, now); err != nil {
			return false, exitWith(exitError, err)
		}
	case changed && !autoApprove:
		return false, exitWith(exitError, errors.New("another apply changed the remote while this one waited for the lock; nothing was applied: run relctl apply again to see the new plan"))
	}
	if len(now.Blocked()) > 0 {
		err := fmt.Errorf("%w: nothing was applied", planner.ErrBlocked)
		if asJSON {
			views.ApplyJSON(env.Stdout, nil, err)
		}
		return false, exitWith(exitError, err)
	}
	if !now.HasChanges() {
		if asJSON {
			return false, views.ApplyJSON(env.Stdout, &planner.Result{}, nil)
		}
		fmt.Fprintln(env.Stdout, "No changes left: another apply published them while this one waited for the lock.")
		return false, nil
	}
	if changed && !asJSON {
		fmt.Fprintln(env.Stdout, "\nThe remote changed while this apply waited for the lock. The plan made under the lock:")
		if err := views.Plan(env.Stdout, now, g.style(env)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// explain adds why writes stopped when the lock was lost under them.
func (lk *applyLock) explain(err error) error {
	if lk == nil || err == nil {
		return err
	}
	if cause := context.Cause(lk.ctx); errors.Is(cause, github.ErrLockLost) {
		return fmt.Errorf("%w: stopped because %v", err, cause)
	}
	return err
}

// release ends renewals and lets the lock go, even when ctx was cancelled
// (Ctrl-C): a lock left behind blocks the next apply until its lease ends.
func (lk *applyLock) release() {
	if lk == nil {
		return
	}
	lk.stop()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(lk.ctx), 30*time.Second)
	defer cancel()
	err := lk.lock.Release(ctx)
	// A lock lost under the apply was already reported with its error.
	if err != nil && !errors.Is(context.Cause(lk.ctx), github.ErrLockLost) {
		fmt.Fprintf(lk.env.Stderr, "Warning: %v\n", err)
	}
}

// lockHolder describes this process for whoever finds the lock held.
func lockHolder(env *Env) github.LockInfo {
	actor := env.Getenv("GITHUB_ACTOR")
	if actor == "" {
		actor = env.Getenv("USER")
	}
	host, _ := os.Hostname()
	return github.LockInfo{
		ID:         github.NewLockID(),
		Operation:  "apply",
		Repository: env.Getenv("GITHUB_REPOSITORY"),
		RunID:      env.Getenv("GITHUB_RUN_ID"),
		Workflow:   env.Getenv("GITHUB_WORKFLOW"),
		Actor:      actor,
		Host:       host,
	}
}

// lockClient is a GitHub client for the spec's repository, for commands
// that only touch the lock.
func lockClient(spec *config.Spec, env *Env) (*github.Client, error) {
	if spec.GitHub == nil {
		return nil, errors.New("relctl.hcl has no github block: there is no repository to hold an apply lock")
	}
	token := env.Getenv("GITHUB_TOKEN")
	if token == "" {
		token = env.Getenv("GH_TOKEN")
	}
	if token == "" {
		return nil, errors.New("github: set GITHUB_TOKEN (or GH_TOKEN) to a token that can write to " + spec.GitHub.Repository)
	}
	return github.New(github.Options{
		APIURL: env.Getenv("GITHUB_API_URL"),
		Token:  token,
		Owner:  spec.GitHub.Owner,
		Repo:   spec.GitHub.Name,
		Retry:  spec.Retry,
	})
}
