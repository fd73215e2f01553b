package planner

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

func TestApply_freshChartsArePushedSignedReleasedAndPublishedInNameOrder(t *testing.T) {
	e := newApplyEnv(t, "gamma", "alpha", "beta")
	_, res, err := e.apply()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"alpha", "beta", "gamma"}, res.Published); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	if len(res.Drafts) != 0 || len(res.Failed) != 0 {
		t.Errorf("drafts %v, failed %v; want none", res.Drafts, res.Failed)
	}
	e.converged()
}

func TestApply_completesAStaleDraftUploadingOnlyItsMissingAssets(t *testing.T) {
	e := newApplyEnv(t, "alpha")
	cs := &e.snap.Charts[0]
	e.reg.tags[cs.OCI.Repository+":1.0.0"] = cs.OCI.LocalManifestDigest
	e.sig.sigs[cs.OCI.Repository+"@"+cs.OCI.LocalManifestDigest] = map[config.SignatureFormat]int{config.FormatLegacy: 1}
	draft := e.gh.seed(state.Release{TagName: cs.Tag, Name: "alpha: v1.0.0", Draft: true, Assets: []state.Asset{
		{Name: "alpha-1.0.0.tgz", State: "uploaded", Digest: cs.Package.Digest, Size: int64(len(cs.Package.Archive))},
	}})
	_, _, err := e.apply()
	if err != nil {
		t.Fatal(err)
	}
	if n := e.faults.count("create"); n != 0 {
		t.Errorf("%d releases created; the stale draft should have been completed", n)
	}
	if n := e.faults.count("upload"); n != 2 {
		t.Errorf("%d uploads, want 2 (the signature and README.md)", n)
	}
	if rels := e.gh.byTag(cs.Tag); len(rels) != 1 || rels[0].ID != draft.ID {
		t.Errorf("releases %s, want draft %d published", describeReleases(rels), draft.ID)
	}
	e.converged()
}

func TestApply_deletesDuplicateDraftsKeepingTheOldest(t *testing.T) {
	e := newApplyEnv(t, "alpha")
	tag := e.snap.Charts[0].Tag
	oldest := e.gh.seed(state.Release{TagName: tag, Name: "alpha: v1.0.0", Draft: true})
	e.gh.seed(state.Release{TagName: tag, Name: "alpha: v1.0.0", Draft: true})
	e.gh.seed(state.Release{TagName: tag, Name: "alpha: v1.0.0", Draft: true, Assets: []state.Asset{{Name: "README.md", State: "uploaded", Digest: d("0")}}})
	if _, _, err := e.apply(); err != nil {
		t.Fatal(err)
	}
	if rels := e.gh.byTag(tag); len(rels) != 1 || rels[0].ID != oldest.ID {
		t.Errorf("releases %s, want only draft %d, published", describeReleases(rels), oldest.ID)
	}
	e.converged()
}

func TestApply_replacesAnAssetLeftInStarterStateByAFailedUpload(t *testing.T) {
	e := newApplyEnv(t, "alpha")
	cs := &e.snap.Charts[0]
	draft := e.gh.seed(state.Release{TagName: cs.Tag, Name: "alpha: v1.0.0", Draft: true, Assets: []state.Asset{
		{Name: "README.md", State: "starter"},
	}})
	p, _, err := e.apply()
	if err != nil {
		t.Fatal(err)
	}
	if ch := change(t, p, `github_release_asset.alpha["README.md"]`); ch.Action != ActionReplace || ch.Asset.Replaces != draft.Assets[0].ID {
		t.Errorf("README.md planned %s replacing %d, want a replace of asset %d", ch.Action, ch.Asset.Replaces, draft.Assets[0].ID)
	}
	e.converged()
}

// A refusal at any step stops that chart there: nothing after the step is
// written, under atomic no chart is published, and the next run finishes
// the job without a duplicate.
func TestApply_failureAtEachStepStopsTheChartAndTheNextRunFinishes(t *testing.T) {
	denied := fmt.Errorf("403: %w", state.ErrUnauthorized)
	for _, tc := range []struct {
		op, addr string
	}{
		{"push", "oci_chart.alpha"},
		{"sign", "oci_signature.alpha"},
		{"create", "github_release.alpha"},
		{"upload", `github_release_asset.alpha["alpha-1.0.0.tgz"]`},
		{"get", "github_release.alpha: confirm assets"},
		{"update", "github_release.alpha: publish release"},
	} {
		t.Run(tc.op, func(t *testing.T) {
			e := newApplyEnv(t, "alpha", "beta")
			e.faults.add(fault{op: tc.op, nth: 1, when: before, err: denied})
			_, res, err := e.apply()
			if err == nil || !strings.Contains(err.Error(), tc.addr) || !errors.Is(res.Failed["alpha"], state.ErrUnauthorized) {
				t.Fatalf("apply = %v, want alpha failed at %s", err, tc.addr)
			}
			if len(res.Published) != 0 {
				t.Errorf("published %v while a chart failed under atomic", res.Published)
			}
			if len(e.sleeps) != 0 {
				t.Errorf("waited %v: a refusal was retried", e.sleeps)
			}
			for _, r := range append(e.gh.byTag("alpha-v1.0.0"), e.gh.byTag("beta-v1.0.0")...) {
				if !r.Draft {
					t.Errorf("release %s was published", r.TagName)
				}
			}
			e.faults.list = nil
			if _, _, err := e.apply(); err != nil {
				t.Fatalf("next run: %v", err)
			}
			e.converged()
		})
	}
}

// The ambiguous failure where the write took effect and its response was
// lost: re-observation finds it and adopts it; nothing is written twice and
// nothing waits.
func TestApply_writeAppliedButResponseLostIsAdoptedNotRepeated(t *testing.T) {
	e := newApplyEnv(t, "alpha", "beta")
	for _, op := range []string{"sign", "create", "upload"} {
		e.faults.add(fault{op: op, nth: 1, when: after})
	}
	_, res, err := e.apply()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alpha", "beta"}; !cmp.Equal(want, res.Published) {
		t.Errorf("published %v, want %v", res.Published, want)
	}
	if n := e.faults.count("create"); n != 2 {
		t.Errorf("%d creates for 2 charts: a lost response was repeated", n)
	}
	if n := e.faults.count("sign"); n != 2 {
		t.Errorf("%d signings for 2 charts: a lost response was repeated", n)
	}
	if len(e.sleeps) != 0 {
		t.Errorf("waited %v; an adopted write needs no retry", e.sleeps)
	}
	e.converged()
}

// The ambiguous failure where the connection dropped before the service saw
// the write: re-observation shows it absent, so it is sent again after a
// backoff within the spec's retry bounds, and the chart is not failed.
func TestApply_writeNotAppliedAndConnectionLostIsRetried(t *testing.T) {
	e := newApplyEnv(t, "alpha", "beta")
	for _, op := range []string{"sign", "create", "upload"} {
		e.faults.add(fault{op: op, nth: 1, when: before})
	}
	_, res, err := e.apply()
	if err != nil {
		t.Fatalf("apply failed where a retry would do: %v", err)
	}
	if want := []string{"alpha", "beta"}; !cmp.Equal(want, res.Published) {
		t.Errorf("published %v, want %v", res.Published, want)
	}
	if n := e.faults.count("create"); n != 3 {
		t.Errorf("%d creates, want 3 (one lost, one retried, one for beta)", n)
	}
	if len(e.sleeps) != 3 {
		t.Errorf("waited %v, want one backoff per lost write", e.sleeps)
	}
	for _, s := range e.sleeps {
		if s < e.spec.Retry.MinBackoff || s > e.spec.Retry.MaxBackoff {
			t.Errorf("backoff %v outside retry bounds [%v, %v]", s, e.spec.Retry.MinBackoff, e.spec.Retry.MaxBackoff)
		}
	}
	e.converged()
}

func TestApply_retriesStopAtTheSpecsAttemptsAndSaySo(t *testing.T) {
	e := newApplyEnv(t, "alpha")
	e.faults.add(fault{op: "create", when: before})
	_, _, err := e.apply()
	if err == nil || !strings.Contains(err.Error(), "3 attempts, each observed not to have landed") {
		t.Fatalf("apply = %v, want a failure after retry.attempts = 3", err)
	}
	if n := e.faults.count("create"); n != 3 {
		t.Errorf("%d creates, want 3", n)
	}
	if rels := e.gh.byTag("alpha-v1.0.0"); len(rels) != 0 {
		t.Errorf("releases %s after creates that never landed", describeReleases(rels))
	}
}

// An upload that left a "starter" asset behind is cleared and sent again.
func TestApply_uploadLeftoverIsClearedThenUploadedAgain(t *testing.T) {
	e := newApplyEnv(t, "alpha")
	e.faults.add(fault{op: "upload", nth: 1, when: after, err: errors.New("upload interrupted")})
	// The interrupted upload leaves the asset in state "starter".
	e.gh.onUpload = func(a *state.Asset, n int) {
		if n == 1 {
			a.State, a.Digest = "starter", ""
		}
	}
	if _, _, err := e.apply(); err != nil {
		t.Fatal(err)
	}
	e.converged()
}

// With one write in two dropped, alternately before and after the service
// acted, an atomic apply of several charts completes in one run.
func TestApply_oneWriteInTwoDroppedCompletesInOneRun(t *testing.T) {
	e := newApplyEnv(t, "alpha", "beta", "delta", "gamma")
	for _, op := range []string{"sign", "create", "upload"} {
		for n := 1; n <= 40; n += 2 {
			w := before
			if n%4 == 3 {
				w = after
			}
			e.faults.add(fault{op: op, nth: n, when: w})
		}
	}
	_, res, err := e.apply()
	if err != nil {
		t.Fatalf("apply with one write in two dropped: %v", err)
	}
	if len(res.Published) != 4 {
		t.Errorf("published %v, want all 4", res.Published)
	}
	e.converged()
}

// Atomic: when the publish phase fails at one chart, the charts before it
// stay published, it and those after stay complete drafts, and the result
// names both; the next run publishes the rest.
func TestApply_atomicPublishFailureNamesPublishedChartsAndDrafts(t *testing.T) {
	e := newApplyEnv(t, "alpha", "beta", "gamma")
	e.faults.add(fault{op: "update", nth: 2, when: before, err: fmt.Errorf("422: %w", state.ErrAlreadyExists)})
	_, res, err := e.apply()
	if err == nil {
		t.Fatal("apply succeeded through a failed publish")
	}
	if diff := cmp.Diff([]string{"alpha"}, res.Published); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"beta", "gamma"}, res.Drafts); diff != "" {
		t.Errorf("drafts (-want +got):\n%s", diff)
	}
	if _, ok := res.Failed["beta"]; !ok || len(res.Failed) != 1 {
		t.Errorf("failed %v, want beta", res.Failed)
	}
	want := "atomic: published before the failure: alpha; left as complete drafts: beta, gamma"
	if !strings.Contains(strings.Join(res.Warnings, "\n"), want) {
		t.Errorf("warnings %q lack %q", res.Warnings, want)
	}
	for chart, published := range map[string]bool{"alpha": true, "beta": false, "gamma": false} {
		rels := e.gh.byTag(chart + "-v1.0.0")
		if len(rels) != 1 || rels[0].Draft == published || len(rels[0].Assets) != 3 {
			t.Errorf("%s: releases %s, want one complete release, published=%t", chart, describeReleases(rels), published)
		}
	}
	e.faults.list = nil
	_, res, err = e.apply()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"beta", "gamma"}, res.Published); diff != "" {
		t.Errorf("next run published (-want +got):\n%s", diff)
	}
	e.converged()
}

// Atomic: a chart that fails before the publish phase holds back every
// other chart, which the result lists as drafts.
func TestApply_atomicChartFailureLeavesTheOthersAsNamedDrafts(t *testing.T) {
	e := newApplyEnv(t, "alpha", "beta", "gamma")
	e.faults.add(fault{op: "push", nth: 2, when: before, err: errors.New("403 denied")})
	_, res, err := e.apply()
	if err == nil || !strings.Contains(err.Error(), "oci_chart.beta") {
		t.Fatalf("apply = %v, want beta failed at its push", err)
	}
	if len(res.Published) != 0 {
		t.Errorf("published %v under atomic with a failed chart", res.Published)
	}
	if diff := cmp.Diff([]string{"alpha", "gamma"}, res.Drafts); diff != "" {
		t.Errorf("drafts (-want +got):\n%s", diff)
	}
	if want := "atomic: no release was published; left as complete drafts: alpha, gamma"; !strings.Contains(strings.Join(res.Warnings, "\n"), want) {
		t.Errorf("warnings %q lack %q", res.Warnings, want)
	}
}

func TestApply_pushRefusedWhenTheTagAppearedSinceThePlan(t *testing.T) {
	e := newApplyEnv(t, "alpha")
	e.observe()
	p := e.plan()
	cs := e.snap.Charts[0]
	e.reg.tags[cs.OCI.Repository+":1.0.0"] = d("9")
	_, err := Apply(t.Context(), p, e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: e.gh}, ApplyOptions{Sleep: e.sleep})
	if err == nil || !strings.Contains(err.Error(), "ghcr.io/acme/charts/alpha:1.0.0 appeared at sha256:999999999999 since the plan; plan again") {
		t.Fatalf("apply = %v, want a conflict naming the digest that appeared", err)
	}
	if got := e.reg.tags[cs.OCI.Repository+":1.0.0"]; got != d("9") {
		t.Errorf("the tag was overwritten: %s", got)
	}
}
