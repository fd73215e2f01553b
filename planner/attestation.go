package planner

import (
	"fmt"
	"strings"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/provenance"
	"github.com/relctl/relctl/state"
)

// TypeOCIAttestation is the chart manifest's signed SLSA provenance
// (signing { provenance = true }), attached in the format(s) signing.format
// names: cosign's `.att` tag (legacy), a Sigstore bundle (bundle), or both.
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
	// Formats are the formats to attest in ("legacy", "bundle"): those
	// signing.format asks for that held no attestation of this build at
	// plan time. Empty means legacy (plans saved before formats existed).
	Formats []config.SignatureFormat `json:"formats,omitempty"`
}

// formats is what Apply attests in.
func (p *AttestationChange) formats() []config.SignatureFormat {
	if len(p.Formats) == 0 {
		return []config.SignatureFormat{config.FormatLegacy}
	}
	return p.Formats
}

// attestationReference names where the attestation goes, for people: the
// legacy attestation tag, or for bundles alone the manifest they refer to.
func attestationReference(repository, digest string, format config.SignatureFormat) string {
	if format.Writes(config.FormatLegacy) {
		return repository + ":" + attTag(digest)
	}
	return repository + "@" + digest + " (referrer)"
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
//
// Formats follow signing.format as signatures do (state.MissingFormats):
// with "legacy" or "bundle", an attestation that counts in any format is
// enough; with "both", each format without one is attested, and only it.
func planAttestation(spec *config.Spec, snap *state.Snapshot, c config.Chart, cs *state.ChartState, oci Change, relctlVersion string) (Change, error) {
	target := cs.OCI.ManifestDigest
	if oci.Action == ActionCreate || oci.Action == ActionReplace || oci.Action == ActionBlocked {
		target = cs.OCI.LocalManifestDigest
	}
	statement, err := provenance.Statement(provenanceInputs(spec, snap, c, cs, target, relctlVersion))
	if err != nil {
		return Change{}, fmt.Errorf("chart %s: %w", c.Name, err)
	}
	format := spec.Signing.Format
	reference := attestationReference(cs.OCI.Repository, target, format)
	p := &AttestationChange{Repository: cs.OCI.Repository, Manifest: target, PredicateType: provenance.PredicateType, Statement: statement, Digest: digestOf(statement), Formats: format.Kinds()}
	ch := Change{
		Address: fmt.Sprintf("%s.%s", TypeOCIAttestation, c.Name),
		Type:    TypeOCIAttestation,
		Chart:   c.Name,
		After: map[string]string{
			"manifest":       target,
			"predicate_type": provenance.PredicateType,
			"reference":      reference,
			"statement":      p.Digest,
		},
		Attestation: p,
	}
	if format != "" && format != config.FormatLegacy {
		ch.After["format"] = string(format)
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
	var (
		same, earlier string
		covered       = map[config.SignatureFormat]bool{}
		formats       []string
	)
	for _, v := range att.Verified {
		ch.Fingerprint += "/" + digestOf(v.Statement)
		if v.Format != state.SignatureFormatLegacy {
			ch.Fingerprint += "@" + v.Format
		}
		if v.PredicateType != provenance.PredicateType {
			continue
		}
		eq, diff, err := provenance.Compare(v.Statement, statement, target)
		if err != nil {
			return Change{}, fmt.Errorf("chart %s: %w", c.Name, err)
		}
		switch {
		case eq:
		case provenance.SameBuildType(v.Statement, statement):
			if earlier == "" && same == "" {
				ch.Reason = "provenance attested (" + v.Format + ") by an earlier build of the same bytes (its " + strings.TrimSuffix(diff, " differ") + " differ from this run's)"
				ch.Before["statement"] = digestOf(v.Statement)
			}
			if earlier == "" {
				earlier = v.Format
			}
		default:
			continue
		}
		if eq && same == "" {
			same = v.Format
			ch.Reason = "provenance attested (" + v.Format + ")"
			ch.Before["statement"] = digestOf(v.Statement)
		}
		if !covered[v.Kind()] {
			formats = append(formats, v.Format)
		}
		covered[v.Kind()] = true
	}
	var missing []config.SignatureFormat
	for _, k := range format.Kinds() {
		if !covered[k] {
			missing = append(missing, k)
		}
	}
	if len(covered) > 0 {
		ch.Before["format"] = strings.Join(formats, ", ")
	}
	switch {
	case len(covered) > 0 && (format != config.FormatBoth || len(missing) == 0):
		ch.Action = ActionNoOp
		ch.After = ch.Before
		ch.After["predicate_type"], ch.After["reference"] = provenance.PredicateType, reference
		ch.Attestation = nil
	case len(covered) > 0:
		// format = "both" and one format holds this build's provenance:
		// the other is attested, never a second one of the same format.
		ch.Action = ActionCreate
		names := make([]string, len(missing))
		for i, f := range missing {
			names[i] = string(f)
		}
		ch.Reason += fmt.Sprintf("; attests in the %s format too (format = %q)", strings.Join(names, " and "), format)
		p.Formats = missing
	case len(att.Verified) > 0:
		ch.Action, ch.Reason = ActionCreate, att.Reason+", none relctl's SLSA provenance of this build"
	default:
		ch.Action, ch.Reason = ActionCreate, att.Reason
	}
	return ch, nil
}
