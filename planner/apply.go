package planner

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Parallelism bounds how many charts are applied at once, and so how
	// many write to the registry at once (push, sign, attest); <= 0 means 4.
	Parallelism int
	// GitHubParallelism bounds how many charts write to GitHub at once
	// (release, assets, publish), within Parallelism; <= 0 means
	// Parallelism. 1 where GitHub writes are paced: github.com asks for
	// mutations one after another.
	GitHubParallelism int
	// Hook receives progress; nil means none.
	Hook Hook
	// Sleep waits between attempts of a write that did not land (the
	// spec's retry block sets how often and how long); nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Result is what Apply did.
type Result struct {
	// Applied lists the changes applied (no-ops excluded), in completion
	// order per chart.
	Applied []Change
	// Failed maps a chart to the error that stopped it.
	Failed map[string]error
	// Published lists the charts whose release was published by this run,
	// in the order they were published.
	Published []string
	// Drafts lists, sorted, the charts whose release is complete but was
	// left a draft because the atomic publish did not reach it: another
	// chart failed first. The next apply publishes them.
	Drafts []string
	// Unsigned lists the charts published without a signature because
	// signing failed under on_failure = "warn".
	Unsigned []string
	Warnings []string
}

// ErrBlocked is returned when a plan with blocked changes is applied.
var ErrBlocked = errors.New("the plan has blocked changes")

// Apply executes the plan. spec and snap must be those the plan was computed
// from: they hold the package bytes and the local files.
//
// Charts are applied concurrently, each in order: push → sign → release as a
// draft → upload assets → confirm → publish. A chart stops at its first
// error without touching the others. With an atomic plan, drafts are
// published in a last phase, only when every chart got there.
func Apply(ctx context.Context, p *ChangeSet, spec *config.Spec, snap *state.Snapshot, w Writers, opts ApplyOptions) (*Result, error) {
	if b := p.Blocked(); len(b) > 0 {
		addrs := make([]string, len(b))
		for i, c := range b {
			addrs[i] = c.Address
		}
		return nil, fmt.Errorf("%w (%s): nothing was applied", ErrBlocked, strings.Join(addrs, ", "))
	}
	a := &applier{plan: p, spec: spec, snap: snap, w: w, hook: opts.Hook, sleepFn: opts.Sleep, res: &Result{Failed: map[string]error{}}}
	if a.hook == nil {
		a.hook = nopHook{}
	}
	limit := opts.Parallelism
	if limit <= 0 {
		limit = 4
	}
	ghLimit := opts.GitHubParallelism
	if ghLimit <= 0 || ghLimit > limit {
		ghLimit = limit
	}
	a.github = make(chan struct{}, ghLimit)

	var (
		mu     sync.Mutex
		drafts []pendingPublish
	)
	order, err := newChartOrder(p.Charts(), snap)
	if err != nil {
		return nil, fmt.Errorf("%w: nothing was applied", err)
	}
	g := new(errgroup.Group)
	g.SetLimit(limit)
	for _, chart := range order.charts {
		g.Go(func() error {
			err := order.wait(chart)
			var pub *pendingPublish
			if err == nil {
				pub, err = a.chart(ctx, chart)
			}
			order.finish(chart, err == nil)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				a.res.Failed[chart] = err
				return nil
			}
			if pub != nil {
				drafts = append(drafts, *pub)
			}
			return nil
		})
	}
	_ = g.Wait()

	sort.Slice(drafts, func(i, j int) bool { return drafts[i].chart < drafts[j].chart })
	if len(a.res.Failed) > 0 {
		a.leftAsDrafts(drafts)
		a.writeIndex(ctx)
		return a.res, a.failure()
	}
	if left := a.publishAll(ctx, drafts); len(left) > 0 {
		a.leftAsDrafts(left)
		a.writeIndex(ctx)
		return a.res, a.failure()
	}
	a.writeIndex(ctx)
	if len(a.res.Failed) > 0 {
		return a.res, a.failure()
	}
	return a.res, nil
}

type applier struct {
	plan *ChangeSet
	spec *config.Spec
	snap *state.Snapshot
	w    Writers
	hook Hook
	// sleepFn is ApplyOptions.Sleep.
	sleepFn func(context.Context, time.Duration) error
	// github holds a slot per chart writing to GitHub
	// (ApplyOptions.GitHubParallelism).
	github chan struct{}

	mu  sync.Mutex
	res *Result
}

// pendingPublish is a complete draft waiting for the atomic publish phase.
type pendingPublish struct {
	chart  string
	change Change
	// tag is the git_tag change the publish carries out, if any.
	tag  *Change
	id   int64
	want state.ReleaseSpec
}

// leftAsDrafts records the complete drafts an atomic apply stopped before
// publishing, and says which were published and which were not.
func (a *applier) leftAsDrafts(drafts []pendingPublish) {
	if len(drafts) == 0 {
		return
	}
	for _, d := range drafts {
		a.res.Drafts = append(a.res.Drafts, d.chart)
	}
	published := "no release was published"
	if len(a.res.Published) > 0 {
		published = "published before the failure: " + strings.Join(a.res.Published, ", ")
	}
	a.warn(fmt.Sprintf("atomic: %s; left as complete drafts: %s; the next apply publishes them", published, strings.Join(a.res.Drafts, ", ")))
}

func (a *applier) warn(msg string) {
	a.mu.Lock()
	a.res.Warnings = append(a.res.Warnings, msg)
	a.mu.Unlock()
	a.hook.Warn(msg)
}

func (a *applier) applied(ch Change) {
	a.mu.Lock()
	a.res.Applied = append(a.res.Applied, ch)
	a.mu.Unlock()
}

func (a *applier) failure() error {
	charts := make([]string, 0, len(a.res.Failed))
	for c := range a.res.Failed {
		charts = append(charts, c)
	}
	sort.Strings(charts)
	msgs := make([]string, len(charts))
	for i, c := range charts {
		msgs[i] = a.res.Failed[c].Error()
	}
	return fmt.Errorf("apply failed for %d chart(s): %s", len(charts), strings.Join(msgs, "; "))
}

// step runs one change through the hook.
func (a *applier) step(ch Change, fn func() error) error {
	if ch.Action == ActionNoOp {
		return nil
	}
	a.hook.Start(ch)
	err := fn()
	if err != nil {
		err = fmt.Errorf("%s: %w", ch.Address, err)
	} else {
		a.applied(ch)
	}
	a.hook.Done(ch, err)
	return err
}

// chart applies one chart's changes in order. It returns the release to
// publish in the atomic phase, if any.
func (a *applier) chart(ctx context.Context, name string) (*pendingPublish, error) {
	cs := a.snap.Chart(name)
	var (
		oci, sig, att, rel, tag, ah *Change
		assets                      []Change
	)
	changes := a.plan.ChartChanges(name)
	for i := range changes {
		switch ch := &changes[i]; ch.Type {
		case TypeOCIChart:
			oci = ch
		case TypeOCISignature:
			sig = ch
		case TypeOCIAttestation:
			att = ch
		case TypeRelease:
			rel = ch
		case TypeGitTag:
			tag = ch
		case TypeArtifactHubMetadata:
			ah = ch
		case TypeReleaseAsset:
			assets = append(assets, *ch)
		}
	}
	if oci == nil {
		return nil, fmt.Errorf("chart %s: plan has no %s change", name, TypeOCIChart)
	}
	if err := a.step(*oci, func() error { return a.pushChart(ctx, cs, *oci) }); err != nil {
		return nil, err
	}
	if ah != nil {
		if err := a.step(*ah, func() error { return a.pushArtifactHub(ctx, *ah) }); err != nil {
			return nil, err
		}
	}
	signed := true
	if sig != nil {
		err := a.step(*sig, func() error { return a.signChart(ctx, *sig) })
		if err != nil {
			if a.spec.Signing.OnFailure != config.SigningFailureWarn {
				return nil, err
			}
			signed = false
			a.mu.Lock()
			a.res.Unsigned = append(a.res.Unsigned, name)
			a.mu.Unlock()
			a.warn(fmt.Sprintf("%s is published UNSIGNED: %v (signing.on_failure = \"warn\")", name, err))
		}
	}
	if att != nil && signed {
		if err := a.step(*att, func() error { return a.attest(ctx, *att) }); err != nil {
			if a.spec.Signing.OnFailure != config.SigningFailureWarn {
				return nil, err
			}
			a.warn(fmt.Sprintf("%s is published WITHOUT its provenance attestation: %v (signing.on_failure = \"warn\")", name, err))
		}
	}
	if rel == nil {
		return nil, nil
	}
	if err := a.gitHubSlot(ctx); err != nil {
		return nil, err
	}
	defer a.doneWithGitHub()
	return a.release(ctx, cs, *rel, tag, assets, signed)
}

// gitHubSlot waits for one of the GitHubParallelism slots.
func (a *applier) gitHubSlot(ctx context.Context) error {
	select {
	case a.github <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *applier) doneWithGitHub() { <-a.github }

// publishAll publishes the complete drafts of an atomic apply, in name
// order, GitHubParallelism at once, and returns those it left drafts: the
// ones whose publish failed, and every one not started when a failure was
// seen. With one slot that is the failed draft and all after it. The last
// draft is published alone, after the others: with make_latest, the
// release GitHub marks latest is the one publishing in order would leave.
func (a *applier) publishAll(ctx context.Context, drafts []pendingPublish) []pendingPublish {
	var (
		mu     sync.Mutex
		failed = map[string]bool{}
		stop   bool
	)
	publish := func(d pendingPublish) {
		err := a.publish(ctx, d)
		if err == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		a.mu.Lock()
		a.res.Failed[d.chart] = err
		a.mu.Unlock()
		failed[d.chart] = true
		stop = true
	}
	stopped := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return stop
	}
	started := 0
	if n := len(drafts); n > 1 {
		var wg sync.WaitGroup
		for _, d := range drafts[:n-1] {
			if a.gitHubSlot(ctx) != nil {
				break
			}
			if stopped() {
				a.doneWithGitHub()
				break
			}
			started++
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer a.doneWithGitHub()
				publish(d)
			}()
		}
		wg.Wait()
	}
	if started == len(drafts)-1 && !stopped() && ctx.Err() == nil {
		publish(drafts[started])
		started++
	}
	var left []pendingPublish
	for i, d := range drafts {
		if i >= started || failed[d.chart] {
			left = append(left, d)
		}
	}
	if len(failed) == 0 && len(left) > 0 {
		// Stopped by ctx before a publish failed: say so under the first
		// draft left, as a publish tried then would have.
		d := left[0]
		a.res.Failed[d.chart] = fmt.Errorf("%s: publish release %d: %w", d.change.Address, d.id, context.Cause(ctx))
	}
	return left
}
