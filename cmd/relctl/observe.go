package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/planner"
	"github.com/relctl/relctl/state"
)

// planOptions are the flags shared by plan and apply.
type planOptions struct {
	base        string
	all         bool
	parallelism int
	// only names the charts to take; empty means every selected chart.
	only []string
	// exact packages every chart, trusting no source stamp: verify
	// --rebuild compares what is published with a rebuild.
	exact bool
	// signedStamps takes a chart's source stamp only when its manifest's
	// signature verifies for the configured key or identity (the signer
	// vouches for the stamp): a chart observed from its stamp without one
	// is observed again, packaged, and with signing off every chart is
	// packaged. Unset, every stamp of a chart in sync is taken (the plan's
	// rule: the stamp saves work, a rebuild is compared when anything
	// differs).
	signedStamps bool
	// ready, when set, is given the backend before anything is observed
	// (verify hooks its early downloads there: backend.listed).
	ready func(*backend)
}

// observed is a spec with the world as seen now and the plan between them.
type observed struct {
	spec    *config.Spec
	backend *backend
	snap    *state.Snapshot
	plan    *planner.ChangeSet
}

// observe loads the spec, refreshes and plans.
func observe(ctx context.Context, g *globals, env *Env, po planOptions, why purpose) (*observed, error) {
	spec, err := loadSpec(g, env)
	if err != nil {
		return nil, err
	}
	if err := selectCharts(ctx, spec, po.base, po.all, env); err != nil {
		return nil, err
	}
	if len(po.only) > 0 {
		var declared []string
		kept := spec.Charts[:0]
		for _, c := range spec.Charts {
			declared = append(declared, c.Name)
			if slices.Contains(po.only, c.Name) {
				kept = append(kept, c)
			}
		}
		if err := onlyCharts(po.only, declared); err != nil {
			return nil, exitWith(exitError, err)
		}
		spec.Charts = kept
	}
	if po.signedStamps && (spec.Signing.Mode == config.SigningNone || spec.Signing.Mode == "") {
		po.exact = true
	}
	b, err := newBackend(ctx, spec, env, why)
	if err != nil {
		return nil, err
	}
	if po.ready != nil {
		po.ready(b)
	}
	opts := refreshOptions(ctx, spec, env, po)
	snap, p, err := refreshAndPlan(ctx, spec, b, opts)
	if err != nil {
		return nil, err
	}
	if po.signedStamps {
		again, unstamped := false, map[string]bool{}
		for i := range snap.Charts {
			cs := &snap.Charts[i]
			stamped := cs.Package != nil && cs.Package.Stamped
			vouched := cs.Signature != nil && cs.Signature.Valid
			if stamped && !vouched {
				again = true
			}
			// Packaged already (no stamp, or a change planned): packaged
			// again, not taken from the stamp first.
			if !stamped || !vouched {
				unstamped[cs.Name] = true
			}
		}
		if again {
			opts.Unstamped = unstamped
			if snap, p, err = refreshAndPlan(ctx, spec, b, opts); err != nil {
				return nil, err
			}
		}
	}
	return &observed{spec: spec, backend: b, snap: snap, plan: p}, nil
}

// refreshAndPlan observes and plans. A chart observed by its source stamp
// (state.Package.Stamped: not packaged, its committed sources being those
// of the published manifest) whose plan changes anything is observed again,
// packaged, and the plan made again: the stamp vouches only for a chart
// that is in sync, and whatever differs is observed in full.
func refreshAndPlan(ctx context.Context, spec *config.Spec, b *backend, opts state.RefreshOptions) (*state.Snapshot, *planner.ChangeSet, error) {
	if b.registry != nil && len(spec.Charts) > 1 {
		// On a registry with bearer tokens (GHCR), the pull tokens of
		// all the charts' repositories in a few requests, rather than
		// one before each chart's first read.
		repos := make([]string, 0, len(spec.Charts))
		for _, c := range spec.Charts {
			repos = append(repos, state.Repository(spec, c.Name))
		}
		b.registry.PrefetchTokens(ctx, repos)
	}
	snap, err := state.Refresh(ctx, spec, b.readers(), opts)
	if err != nil {
		return nil, nil, err
	}
	p, err := planner.Plan(spec, snap, planner.Options{RelctlVersion: version()})
	if err != nil {
		return nil, nil, err
	}
	again := map[string]bool{}
	for _, ch := range p.Changes {
		if ch.Action == planner.ActionNoOp || ch.Chart == "" {
			continue
		}
		if cs := snap.Chart(ch.Chart); cs != nil && cs.Package != nil && cs.Package.Stamped {
			again[ch.Chart] = true
		}
	}
	if len(again) == 0 {
		return snap, p, nil
	}
	for name := range opts.Unstamped {
		again[name] = true
	}
	opts.Unstamped = again
	if snap, err = state.Refresh(ctx, spec, b.readers(), opts); err != nil {
		return nil, nil, err
	}
	if p, err = planner.Plan(spec, snap, planner.Options{RelctlVersion: version()}); err != nil {
		return nil, nil, err
	}
	return snap, p, nil
}

// observeParallelism is how many charts are observed at once, for
// --parallelism n: 8n. Observing a chart is mostly waiting on the registry
// (two requests in a row for a signed chart in sync); the CPU work
// (packaging) has its own bound, the number of cores (state.Refresh).
func observeParallelism(n int) int {
	if n <= 0 {
		n = defaultParallelism
	}
	return 8 * n
}

// defaultParallelism is plan's --parallelism.
const defaultParallelism = 4

// refreshOptions are the observation's options, one home for the first
// observation and the one made again under the apply lock.
func refreshOptions(ctx context.Context, spec *config.Spec, env *Env, po planOptions) state.RefreshOptions {
	sha := commit(ctx, spec, env)
	return state.RefreshOptions{
		Parallelism: observeParallelism(po.parallelism),
		Commit:      sha,
		CommitTime:  commitTime(ctx, spec, sha),
		Run:         ciRun(env),
		NoStamps:    po.exact,
	}
}

// onlyCharts narrows the spec to the named charts; a name the spec does not
// declare is an error.
func onlyCharts(names []string, declared []string) error {
	for _, n := range names {
		if !slices.Contains(declared, n) {
			return fmt.Errorf("chart %q is not declared in relctl.hcl (declared: %v)", n, declared)
		}
	}
	return nil
}
