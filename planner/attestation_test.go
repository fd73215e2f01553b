package planner

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/provenance"
	"github.com/relctl/relctl/state"
)

// fakeAttester keeps the statements attested per manifest, as a registry's
// `.att` tag keeps them (atts) and its referrers keep bundles (bundles);
// foreign counts attestations by another key, which observation finds but
// does not verify. attested counts the attestations written, one per
// format.
type fakeAttester struct {
	mu       sync.Mutex
	atts     map[string][][]byte // repo@digest → statements
	bundles  map[string][][]byte
	foreign  map[string]int
	f        *faults
	attested int
}

func newFakeAttester() *fakeAttester {
	return &fakeAttester{atts: map[string][][]byte{}, bundles: map[string][][]byte{}, foreign: map[string]int{}}
}

func (a *fakeAttester) VerifyAttestations(_ context.Context, repo, digest string) (*state.AttestationState, error) {
	st := &state.AttestationState{}
	err := a.f.run("verify-attestations", func() error {
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, s := range a.atts[repo+"@"+digest] {
			st.Verified = append(st.Verified, state.VerifiedAttestation{Format: state.SignatureFormatLegacy, PredicateType: provenance.PredicateType, Statement: s})
		}
		for _, s := range a.bundles[repo+"@"+digest] {
			st.Verified = append(st.Verified, state.VerifiedAttestation{Format: state.SignatureFormatReferrer, PredicateType: provenance.PredicateType, Statement: s})
		}
		st.Count = len(st.Verified) + a.foreign[repo+"@"+digest]
		st.Reason = "no attestation"
		if st.Count > len(st.Verified) {
			st.Reason = "1 attestation, not valid for the configured key"
		}
		return nil
	})
	return st, err
}

func (a *fakeAttester) AttestManifest(_ context.Context, repo, digest, predicateType string, statement []byte, formats ...config.SignatureFormat) error {
	if len(formats) == 0 {
		formats = []config.SignatureFormat{config.FormatLegacy}
	}
	// One write per format, as the registry sees them: a fault can stop
	// the call between two formats.
	for _, f := range formats {
		err := a.f.run("attest", func() error {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.attested++
			into := a.atts
			if f == config.FormatBundle {
				into = a.bundles
			}
			into[repo+"@"+digest] = append(into[repo+"@"+digest], append([]byte(nil), statement...))
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func provenanceWorld() *world {
	w := newWorld(config.SigningKey, false)
	w.spec.Signing.Provenance = true
	w.spec.Digest = d("9")
	w.snap.Commit = strings.Repeat("ab", 20)
	w.snap.Run = state.Run{Repository: "acme/charts", RunID: "1", RunAttempt: "1", WorkflowRef: "acme/charts/.github/workflows/release.yaml@refs/heads/main"}
	w.chart().Package.Dependencies = []state.Dependency{{Name: "common", Version: "2.4.1", URL: "https://charts.example.com/common-2.4.1.tgz", Digest: d("7"), Source: state.SourceHTTP}}
	return w
}

func TestPlan_provenanceOfAnUnpublishedChartIsCreatedForTheDigestThePushWrites(t *testing.T) {
	w := provenanceWorld()
	p := w.plan(t)
	got := strings.Join(actions(p), "\n")
	if want := "oci_chart.podinfo create\noci_signature.podinfo create\noci_attestation.podinfo create"; got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	ch := change(t, p, "oci_attestation.podinfo")
	a := ch.Attestation
	if a == nil || a.Manifest != d("1") || a.Digest != digestOf(a.Statement) || ch.After["reference"] != "ghcr.io/acme/charts/podinfo:sha256-"+strings.Repeat("1", 64)+".att" {
		t.Fatalf("payload %+v, after %v", a, ch.After)
	}
	for _, want := range []string{`"sha256":"` + strings.Repeat("1", 64) + `"`, `"gitCommit":"abab`, `"name":"charts/common-2.4.1.tgz"`, `"path":"charts/podinfo"`, `"sha256":"` + strings.Repeat("9", 64) + `"`} {
		if !bytes.Contains(a.Statement, []byte(want)) {
			t.Errorf("statement lacks %s:\n%s", want, a.Statement)
		}
	}
	// Two plans of the same inputs carry the same bytes.
	if again := change(t, w.plan(t), "oci_attestation.podinfo"); !bytes.Equal(again.Attestation.Statement, a.Statement) {
		t.Errorf("two plans, two statements:\n%s\n%s", a.Statement, again.Attestation.Statement)
	}
}

func TestPlan_provenanceIsComparedByBuildDefinition(t *testing.T) {
	statementOf := func(w *world) []byte {
		return change(t, w.plan(t), "oci_attestation.podinfo").Attestation.Statement
	}
	planned := statementOf(provenanceWorld())
	otherRun := provenanceWorld()
	otherRun.snap.Run = state.Run{Repository: "acme/charts", RunID: "77", RunAttempt: "3", WorkflowRef: "acme/charts/.github/workflows/x.yaml@refs/heads/main"}
	laterRun := statementOf(otherRun)
	if bytes.Equal(laterRun, planned) {
		t.Fatal("the run's details are not in the statement")
	}
	specChanged := provenanceWorld()
	specChanged.spec.Digest = d("8")
	changedSpec := statementOf(specChanged)
	otherBuilder := bytes.ReplaceAll(planned, []byte(provenance.BuildType), []byte("https://actions.github.io/buildtypes/workflow/v1"))

	for _, tc := range []struct {
		name     string
		verified [][]byte
		foreign  int
		action   Action
		reason   string
	}{
		{"none", nil, 0, ActionCreate, "no attestation"},
		{"another key's", nil, 1, ActionCreate, "1 attestation, not valid for the configured key"},
		{"the same", [][]byte{planned}, 0, ActionNoOp, "provenance attested (legacy)"},
		{"the same inputs, another run", [][]byte{laterRun}, 0, ActionNoOp, "provenance attested (legacy)"},
		{"the spec changed", [][]byte{changedSpec}, 0, ActionNoOp, "provenance attested (legacy) by an earlier build of the same bytes (its externalParameters differ from this run's)"},
		{"another builder's", [][]byte{otherBuilder}, 0, ActionCreate, "no attestation, none relctl's SLSA provenance of this build"},
		{"an older one beside the same", [][]byte{changedSpec, planned}, 0, ActionNoOp, "provenance attested (legacy)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := provenanceWorld().published()
			st := &state.AttestationState{Count: len(tc.verified) + tc.foreign, Reason: "no attestation"}
			if tc.foreign > 0 {
				st.Reason = "1 attestation, not valid for the configured key"
			}
			for _, s := range tc.verified {
				st.Verified = append(st.Verified, state.VerifiedAttestation{Format: "legacy", PredicateType: provenance.PredicateType, Statement: s})
			}
			w.chart().Attestation = st
			w.chart().Signature = &state.SignatureState{Valid: true, Count: 1, Reason: "1 valid signature"}
			ch := change(t, w.plan(t), "oci_attestation.podinfo")
			if ch.Action != tc.action || ch.Reason != tc.reason {
				t.Errorf("%s: %q; want %s: %q", ch.Action, ch.Reason, tc.action, tc.reason)
			}
			if (ch.Attestation == nil) != (tc.action == ActionNoOp) {
				t.Errorf("payload %v for a %s", ch.Attestation, ch.Action)
			}
		})
	}
}

func TestPlan_savedPlanKeepsTheStatementByteForByte(t *testing.T) {
	p := provenanceWorld().plan(t)
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := change(t, p, "oci_attestation.podinfo").Attestation
	got := change(t, back, "oci_attestation.podinfo").Attestation
	if got == nil || !bytes.Equal(got.Statement, want.Statement) || got.Digest != want.Digest || got.Manifest != want.Manifest || got.PredicateType != want.PredicateType {
		t.Errorf("saved plan's payload %+v, want %+v", got, want)
	}
}

func TestLineage_listsTheProvenanceAttestation(t *testing.T) {
	w := provenanceWorld()
	w.spec.GitHub = &config.GitHub{Repository: "acme/charts", Owner: "acme", Name: "charts", OnAssetConflict: config.AssetConflictFail, UpdateNotes: true}
	w.chart().Lineage = &state.Lineage{}
	b, _, err := lineageFile(w.spec.Charts[0], w.chart(), w.snap, d("1"), config.FormatLegacy)
	if err != nil {
		t.Fatal(err)
	}
	want := `"provenance": {
    "predicate_type": "https://slsa.dev/provenance/v1",
    "build_type": "` + provenance.BuildType + `",
    "reference": "ghcr.io/acme/charts/podinfo:sha256-` + strings.Repeat("1", 64) + `.att",
    "format": "legacy"
  }`
	if !strings.Contains(string(b), want) {
		t.Errorf("lineage file lacks the provenance:\n%s", b)
	}
	without, _, _ := lineageFile(w.spec.Charts[0], w.chart(), w.snap, d("1"), "")
	if bytes.Contains(without, []byte("provenance")) {
		t.Errorf("lineage without provenance mentions it:\n%s", without)
	}
}

// provenanceEnv is an applyEnv whose spec attests provenance, with its
// attester; observe fills the attestations in too.
func provenanceEnv(t *testing.T, charts ...string) (*applyEnv, *fakeAttester) {
	e := newApplyEnv(t, charts...)
	e.spec.Signing.Provenance = true
	e.spec.Digest = sha([]byte("relctl.hcl"))
	att := newFakeAttester()
	att.f = e.faults
	return e, att
}

func applyWithAttester(e *applyEnv, att *fakeAttester) (*ChangeSet, *Result, error) {
	e.t.Helper()
	e.observe()
	for i := range e.snap.Charts {
		cs := &e.snap.Charts[i]
		cs.Attestation = nil
		if cs.OCI.Exists {
			st, _ := att.VerifyAttestations(context.Background(), cs.OCI.Repository, cs.OCI.ManifestDigest)
			cs.Attestation = st
		}
	}
	p := e.plan()
	res, err := Apply(context.Background(), p, e.spec, e.snap, Writers{Registry: e.reg, Signer: e.sig, Releases: e.gh, Attester: att},
		ApplyOptions{Parallelism: 1, Sleep: e.sleep})
	return p, res, err
}

func TestApply_attestsEachChartOnceAndTheNextRunIsANoOp(t *testing.T) {
	e, att := provenanceEnv(t, "alpha", "beta")
	if _, _, err := applyWithAttester(e, att); err != nil {
		t.Fatal(err)
	}
	for _, cs := range e.snap.Charts {
		got := att.atts[cs.OCI.Repository+"@"+cs.OCI.LocalManifestDigest]
		if len(got) != 1 {
			t.Fatalf("%s: %d attestations, want 1", cs.Name, len(got))
		}
		if ok, why := provenance.Names(got[0], cs.OCI.LocalManifestDigest); !ok {
			t.Errorf("%s: the attestation does not name the pushed manifest: %s", cs.Name, why)
		}
	}
	p, _, err := applyWithAttester(e, att)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() || att.attested != 2 {
		t.Errorf("second run: %v, %d attestations made; want no change", actions(p), att.attested)
	}

	// A changed input (here the spec) that builds the same bytes adds
	// nothing: the provenance already attested is still true of them.
	e.spec.Digest = sha([]byte("relctl.hcl, edited"))
	p, _, err = applyWithAttester(e, att)
	if err != nil {
		t.Fatal(err)
	}
	if got := change(t, p, "oci_attestation.alpha").Action; got != ActionNoOp || att.attested != 2 {
		t.Errorf("after the spec changed: %s, %d attestations made; want no-op, 2", got, att.attested)
	}
}

// An attestation that landed although its response was lost is adopted
// by re-observation, not made twice.
func TestApply_attestationWhoseResponseWasLostIsNotMadeTwice(t *testing.T) {
	e, att := provenanceEnv(t, "alpha")
	e.faults.add(fault{op: "attest", nth: 1, when: after})
	if _, _, err := applyWithAttester(e, att); err != nil {
		t.Fatal(err)
	}
	if att.attested != 1 {
		t.Errorf("%d attestations made, want 1", att.attested)
	}
}

// An attestation by another key does not count: the chart is attested
// with the configured one.
func TestApply_attestationByAnotherKeyIsNotCounted(t *testing.T) {
	e, att := provenanceEnv(t, "alpha")
	if _, _, err := applyWithAttester(e, att); err != nil {
		t.Fatal(err)
	}
	cs := e.snap.Charts[0]
	key := cs.OCI.Repository + "@" + cs.OCI.LocalManifestDigest
	att.atts[key], att.foreign[key] = nil, 1
	p, _, err := applyWithAttester(e, att)
	if err != nil {
		t.Fatal(err)
	}
	ch := change(t, p, "oci_attestation.alpha")
	if ch.Action != ActionCreate || ch.Reason != "1 attestation, not valid for the configured key" || len(att.atts[key]) != 1 {
		t.Errorf("%s %q, %d of ours; want create naming the foreign attestation, then one of ours", ch.Action, ch.Reason, len(att.atts[key]))
	}
}

// Attestations follow signing.format as signatures do: "bundle" and "both"
// attest once in each of their formats, and the next run writes nothing.
func TestApply_attestsInEachConfiguredFormatOnce(t *testing.T) {
	for _, tc := range []struct {
		format          config.SignatureFormat
		legacy, bundles int
	}{
		{config.FormatLegacy, 1, 0},
		{config.FormatBundle, 0, 1},
		{config.FormatBoth, 1, 1},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			e, att := provenanceEnv(t, "alpha")
			e.spec.Signing.Format, e.sig.format = tc.format, tc.format
			p, _, err := applyWithAttester(e, att)
			if err != nil {
				t.Fatal(err)
			}
			ch := change(t, p, "oci_attestation.alpha")
			if got := fmt.Sprint(ch.Attestation.Formats); got != fmt.Sprint(tc.format.Kinds()) {
				t.Errorf("planned formats %s, want %s", got, fmt.Sprint(tc.format.Kinds()))
			}
			cs := e.snap.Charts[0]
			key := cs.OCI.Repository + "@" + cs.OCI.LocalManifestDigest
			if len(att.atts[key]) != tc.legacy || len(att.bundles[key]) != tc.bundles {
				t.Fatalf("%d legacy, %d bundle attestations; want %d, %d", len(att.atts[key]), len(att.bundles[key]), tc.legacy, tc.bundles)
			}
			made := att.attested
			p, _, err = applyWithAttester(e, att)
			if err != nil {
				t.Fatal(err)
			}
			if p.HasChanges() || att.attested != made {
				t.Errorf("second run: %v, %d attestations made; want no change", actions(p), att.attested-made)
			}
		})
	}
}

// With format = "both", a provenance attested in one format only gets the
// other format, never a second one of the format it has; with "legacy" or
// "bundle", one in any format counts.
func TestApply_bothAttestsOnlyTheMissingFormat(t *testing.T) {
	for _, tc := range []struct {
		name    string
		format  config.SignatureFormat
		have    config.SignatureFormat
		want    string // planned formats; "" for no-op
		legacy  int
		bundles int
	}{
		{"both, legacy present", config.FormatBoth, config.FormatLegacy, "[bundle]", 1, 1},
		{"both, bundle present", config.FormatBoth, config.FormatBundle, "[legacy]", 1, 1},
		{"bundle, legacy present", config.FormatBundle, config.FormatLegacy, "", 1, 0},
		{"legacy, bundle present", config.FormatLegacy, config.FormatBundle, "", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, att := provenanceEnv(t, "alpha")
			e.spec.Signing.Format, e.sig.format = tc.have, tc.have
			if _, _, err := applyWithAttester(e, att); err != nil {
				t.Fatal(err)
			}
			e.spec.Signing.Format, e.sig.format = tc.format, tc.format
			made := att.attested
			p, _, err := applyWithAttester(e, att)
			if err != nil {
				t.Fatal(err)
			}
			ch := change(t, p, "oci_attestation.alpha")
			switch {
			case tc.want == "" && ch.Action != ActionNoOp:
				t.Errorf("%s %q, want no-op", ch.Action, ch.Reason)
			case tc.want != "" && (ch.Action != ActionCreate || fmt.Sprint(ch.Attestation.Formats) != tc.want):
				t.Errorf("%s %q, want create in %s", ch.Action, ch.Reason, tc.want)
			case tc.want != "" && !strings.Contains(ch.Reason, "format too"):
				t.Errorf("reason %q does not say which format is added", ch.Reason)
			}
			cs := e.snap.Charts[0]
			key := cs.OCI.Repository + "@" + cs.OCI.LocalManifestDigest
			if len(att.atts[key]) != tc.legacy || len(att.bundles[key]) != tc.bundles {
				t.Errorf("%d legacy, %d bundle attestations; want %d, %d", len(att.atts[key]), len(att.bundles[key]), tc.legacy, tc.bundles)
			}
			p, _, err = applyWithAttester(e, att)
			if err != nil {
				t.Fatal(err)
			}
			if p.HasChanges() {
				t.Errorf("third run: %v, want no change (%d written in all)", actions(p), att.attested-made)
			}
		})
	}
}

// A "both" attestation whose call failed after the legacy one landed
// writes only the bundle on retry.
func TestApply_bothRetryWritesOnlyWhatIsMissing(t *testing.T) {
	e, att := provenanceEnv(t, "alpha")
	e.spec.Signing.Format, e.sig.format = config.FormatBoth, config.FormatBoth
	e.faults.add(fault{op: "attest", nth: 1, when: after})
	if _, _, err := applyWithAttester(e, att); err != nil {
		t.Fatal(err)
	}
	cs := e.snap.Charts[0]
	key := cs.OCI.Repository + "@" + cs.OCI.LocalManifestDigest
	if len(att.atts[key]) != 1 || len(att.bundles[key]) != 1 {
		t.Errorf("%d legacy, %d bundle attestations; want one of each", len(att.atts[key]), len(att.bundles[key]))
	}
}
