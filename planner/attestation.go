package planner

import (
	"fmt"
	"strings"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/provenance"
	"github.com/relctl/relctl/state"
)

// TypeOCIAttestation is the chart manifest's signed SLSA provenance
// (signing { provenance = true }), attached in cosign's attestation format.
const TypeOCIAttestation ResourceType = "oci_attestation"

// AttestationChange is what attesting the chart's manifest needs: the
// statement to sign, exactly. It is deterministic (provenance.Statement),
// so a saved plan carries the bytes apply signs.
type AttestationChange struct {
	Repository    string `json:"repository"`
	Manifest      string `json:"manifest"`
	PredicateType string `json:"predicate_type"`
	// Statement is the in-toto statement, canonical JSON; Digest is
	// "sha256:<hex>" of it.
	Statement []byte `json:"statement"`
	Digest    string `json:"digest"`
}

// attTag is cosign's tag for the attestations of a manifest digest.
func attTag(digest string) string {
	return strings.TrimSuffix(sigTag(digest), ".sig") + ".att"
}

// provenanceInputs gathers what the chart's provenance records from the
// spec and the snapshot: the manifest the registry holds after the plan,
// the chart, the spec file, the commit and the dependency archives.
func provenanceInputs(spec *config.Spec, snap *state.Snapshot, c config.Chart, cs *state.ChartState, manifest, relctlVersion string) provenance.Inputs {
	in := provenance.Inputs{
		Repository: cs.OCI.Repository,
		Manifest:   manifest,
		Chart:      c.Name,
		Version:    c.Version,
		Path:       c.RelDir,
		SpecPath:   config.FileName,
		SpecDigest: spec.Digest,
		Commit:     snap.Commit,
		Run: provenance.Run{
			ServerURL: snap.Run.ServerURL, Repository: snap.Run.Repository, WorkflowRef: snap.Run.WorkflowRef,
			RunID: snap.Run.RunID, RunAttempt: snap.Run.RunAttempt, RelctlVersion: relctlVersion,
		},
	}
	if !cs.Package.Created.IsZero() {
		in.PackageCreated = cs.Package.Created.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	// The source is the repository the workflow checked out; outside
	// Actions, the spec's release repository is the best guess.
	switch {
	case snap.Run.Repository != "":
		in.Source = snap.Run.Repository
	case spec.GitHub != nil:
		in.Source = spec.GitHub.Repository
	}
	for _, d := range cs.Package.Dependencies {
		in.Dependencies = append(in.Dependencies, provenance.Dependency{Name: d.Name, Version: d.Version, URI: d.URL, Digest: d.Digest})
	}
	return in
}

// planAttestation decides the provenance attestation of the manifest the
// registry holds after the chart's change. An attestation counts when it
// verifies for the configured key or identity (observation checked that)
// and attests the same build definition (provenance.Compare); one of
// relctl's with another build definition (the spec, the commit or a
// dependency changed, the chart's digest did not) makes an update: a new
// attestation beside it.
func planAttestation(spec *config.Spec, snap *state.Snapshot, c config.Chart, cs *state.ChartState, oci Change, relctlVersion string) (Change, error) {
	target := cs.OCI.ManifestDigest
	if oci.Action == ActionCreate || oci.Action == ActionReplace || oci.Action == ActionBlocked {
		target = cs.OCI.LocalManifestDigest
	}
	statement, err := provenance.Statement(provenanceInputs(spec, snap, c, cs, target, relctlVersion))
	if err != nil {
		return Change{}, fmt.Errorf("chart %s: %w", c.Name, err)
	}
	p := &AttestationChange{Repository: cs.OCI.Repository, Manifest: target, PredicateType: provenance.PredicateType, Statement: statement, Digest: digestOf(statement)}
	ch := Change{
		Address: fmt.Sprintf("%s.%s", TypeOCIAttestation, c.Name),
		Type:    TypeOCIAttestation,
		Chart:   c.Name,
		After: map[string]string{
			"manifest":       target,
			"predicate_type": provenance.PredicateType,
			"reference":      cs.OCI.Repository + ":" + attTag(target),
			"statement":      p.Digest,
		},
		Attestation: p,
	}
	att := cs.Attestation
	if oci.Action != ActionNoOp || att == nil {
		ch.Action, ch.Reason, ch.Fingerprint = ActionCreate, "chart not yet in the registry at this digest", "unattested"
		return ch, nil
	}
	ch.Before = map[string]string{"manifest": target, "attestations": fmt.Sprint(att.Count)}
	ch.Fingerprint = fmt.Sprintf("%s/%d", target, att.Count)
	// The provenance is about the manifest's bytes. One of relctl's build
	// definition that names this digest stays true when a later commit or
	// an edited spec builds the same bytes again, so it counts: attesting
	// again would add an attestation per chart and commit, forever. The
	// one attesting this run's exact inputs is preferred when there is one.
	var earlier string
	for _, v := range att.Verified {
		ch.Fingerprint += "/" + digestOf(v.Statement)
		if v.PredicateType != provenance.PredicateType || ch.Action == ActionNoOp {
			continue
		}
		same, diff, err := provenance.Compare(v.Statement, statement, target)
		if err != nil {
			return Change{}, fmt.Errorf("chart %s: %w", c.Name, err)
		}
		switch {
		case same:
			ch.Action, ch.Reason = ActionNoOp, "provenance attested ("+v.Format+")"
			ch.Before["statement"], ch.Before["format"] = digestOf(v.Statement), v.Format
		case earlier == "" && provenance.SameBuildType(v.Statement, statement):
			earlier = v.Format
			ch.Before["statement"], ch.Before["format"] = digestOf(v.Statement), v.Format
			ch.Reason = "provenance attested (" + v.Format + ") by an earlier build of the same bytes (its " + strings.TrimSuffix(diff, " differ") + " differ from this run's)"
		}
	}
	if ch.Action != ActionNoOp && earlier != "" {
		ch.Action = ActionNoOp
	}
	switch {
	case ch.Action == ActionNoOp:
		ch.After = ch.Before
		ch.After["predicate_type"], ch.After["reference"] = provenance.PredicateType, cs.OCI.Repository+":"+attTag(target)
		ch.Attestation = nil
	case len(att.Verified) > 0:
		ch.Action, ch.Reason = ActionCreate, att.Reason+", none relctl's SLSA provenance of this build"
	default:
		ch.Action, ch.Reason = ActionCreate, att.Reason
	}
	return ch, nil
}
