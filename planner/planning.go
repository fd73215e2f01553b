package planner

import (
	"fmt"
	"strings"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// Options carry what Plan needs beyond the spec and the snapshot.
type Options struct {
	// RelctlVersion is recorded in the plan.
	RelctlVersion string
}

// KnownAfterApply marks a value that only apply can compute.
const KnownAfterApply = "(known after apply)"

// Plan diffs the spec against the snapshot. It is pure: the same inputs give
// the same plan. An error means the plan could not be computed at all (a
// release notes template that fails, a snapshot that does not match the
// spec); a conflict a policy refuses is a blocked change, not an error.
func Plan(spec *config.Spec, snap *state.Snapshot, opts Options) (*ChangeSet, error) {
	p := &ChangeSet{
		FormatVersion: FormatVersion,
		RelctlVersion: opts.RelctlVersion,
		Registry:      spec.Registry.Repository,
		Atomic:        spec.Release.Atomic,
	}
	if spec.GitHub != nil {
		p.Repository = spec.GitHub.Repository
	}
	for _, c := range spec.Charts {
		cs := snap.Chart(c.Name)
		if cs == nil || cs.Package == nil {
			return nil, fmt.Errorf("chart %s was not observed", c.Name)
		}
		if err := planChart(p, spec, snap, c, cs, opts); err != nil {
			return nil, err
		}
	}
	if ch, ok, err := planArtifactHubPages(spec, snap); err != nil {
		return nil, err
	} else if ok {
		p.Changes = append(p.Changes, ch)
	}
	if spec.Signing.OnFailure == config.SigningFailureWarn {
		for _, c := range p.Changes {
			if c.Type == TypeOCISignature && c.Action == ActionCreate {
				p.Warnings = append(p.Warnings, Warning{Kind: "signing.on_failure = warn", Message: `signing.on_failure = "warn": a chart whose signing fails is published UNSIGNED, and apply, drift and verify will say so`})
				break
			}
		}
	}
	hash, err := inputsHash(spec, snap)
	if err != nil {
		return nil, err
	}
	p.InputsHash = hash
	return p, nil
}

func planChart(p *ChangeSet, spec *config.Spec, snap *state.Snapshot, c config.Chart, cs *state.ChartState, opts Options) error {
	oci, skip := planOCI(spec, c, cs)
	p.Changes = append(p.Changes, oci)
	if skip {
		p.Warnings = append(p.Warnings, Warning{Kind: "registry conflict skipped (on_conflict = skip)", Chart: c.Name, Message: fmt.Sprintf("%s: %s", oci.Address, oci.Reason)})
		return nil
	}
	if oci.Action == ActionBlocked {
		// Everything else of the chart follows from the registry: planning
		// it would only repeat the conflict in other words.
		return nil
	}
	if ah, ok, err := planArtifactHub(spec, c, cs); err != nil {
		return err
	} else if ok {
		p.Changes = append(p.Changes, ah)
	}
	if spec.Signing.Mode != config.SigningNone && spec.Signing.Mode != "" {
		p.Changes = append(p.Changes, planSignature(spec, c, cs, oci))
		if spec.Signing.Provenance {
			att, err := planAttestation(spec, snap, c, cs, oci, opts.RelctlVersion)
			if err != nil {
				return err
			}
			p.Changes = append(p.Changes, att)
		}
	}
	if spec.GitHub == nil {
		return nil
	}
	changes, warnings, err := planRelease(spec, snap, c, cs)
	if err != nil {
		return err
	}
	p.Changes = append(p.Changes, changes...)
	p.Warnings = append(p.Warnings, warnings...)
	if spec.HelmRepository != nil && snap.Index != nil {
		p.Changes = append(p.Changes, planIndex(spec, snap, c, cs))
	}
	return nil
}

// planOCI decides the chart's registry change. skip is true when the chart
// is left alone entirely (on_conflict = "skip").
func planOCI(spec *config.Spec, c config.Chart, cs *state.ChartState) (Change, bool) {
	o := cs.OCI
	if cs.Package.Blocked != "" {
		// A dependency that does not resolve, a stale Chart.lock: nothing
		// can be built, so nothing is compared.
		return Change{
			Address:     fmt.Sprintf("%s.%s", TypeOCIChart, c.Name),
			Type:        TypeOCIChart,
			Chart:       c.Name,
			Action:      ActionBlocked,
			Reason:      cs.Package.Blocked,
			After:       map[string]string{"reference": o.Repository + ":" + o.Tag},
			Fingerprint: "unbuildable",
		}, false
	}
	push := &OCIChange{Repository: o.Repository, Tag: o.Tag, Digest: o.LocalManifestDigest}
	ch := Change{
		Address: fmt.Sprintf("%s.%s", TypeOCIChart, c.Name),
		Type:    TypeOCIChart,
		Chart:   c.Name,
		After: map[string]string{
			"reference": o.Repository + ":" + o.Tag,
			"digest":    push.Digest,
			"content":   cs.Package.ContentDigest,
		},
		OCI:         push,
		Fingerprint: ociFingerprint(o),
	}
	if deps := dependencyList(cs.Package.Dependencies); deps != "" {
		ch.After["dependencies"] = deps
	}
	if !o.Exists {
		ch.Action, ch.Reason = ActionCreate, "tag "+o.Tag+" absent"
		if cs.ReleasePackage != nil {
			ch.Reason += fmt.Sprintf("; pushes the %s release %s carries (the same chart files, packaged by another tool)", cs.Package.FileName, c.Tag)
		}
		return ch, false
	}
	push.Previous = o.ManifestDigest
	ch.Before = map[string]string{"reference": o.Repository + ":" + o.Tag, "digest": o.ManifestDigest}
	if o.ContentDigest != "" {
		ch.Before["content"] = o.ContentDigest
	}
	if o.NotAChart != "" {
		// Whatever on_conflict says: overwriting would destroy an image
		// someone else published under the chart's name.
		ch.Action, ch.Reason = ActionBlocked, o.NotAChart
		return ch, false
	}
	switch {
	case o.ManifestDigest == o.LocalManifestDigest:
		// The very package published: its dependencies are the local ones.
		if deps, ok := ch.After["dependencies"]; ok {
			ch.Before["dependencies"] = deps
		}
		ch.Action, ch.Reason, ch.After = ActionNoOp, "published, digest "+short(o.ManifestDigest), ch.Before
		return ch, false
	case o.ContentDigest == cs.Package.ContentDigest:
		// Pushed earlier by another tool (plain `helm push`): other
		// archive bytes, same chart files. Adopt it; never re-push.
		ch.Action, ch.After = ActionNoOp, ch.Before
		ch.Reason = fmt.Sprintf("in sync: %s holds the same chart files under another digest (%s); adopted", o.Tag, short(o.ManifestDigest))
		return ch, false
	case o.UpstreamOnly:
		// Same own files, and the published Chart.lock still satisfies
		// the constraints: an upstream dependency moved on, the chart did
		// not. Republishing would change a released version (issue 7).
		ch.Action, ch.After = ActionNoOp, ch.Before
		ch.Reason = fmt.Sprintf("in sync: %s holds the same chart files, its Chart.lock still satisfies the dependency constraints", o.Tag)
		if len(o.NewerUpstream) > 0 {
			ch.Reason += "; bump the chart version to take " + strings.Join(o.NewerUpstream, ", ")
		}
		return ch, false
	}
	conflict := fmt.Sprintf("version %s is already published with other content (digest %s ≠ %s)", c.Version, short(o.ManifestDigest), short(o.LocalManifestDigest))
	switch spec.Registry.OnConflict {
	case config.ConflictOverwrite:
		ch.Action, ch.Reason = ActionReplace, conflict+"; on_conflict = \"overwrite\""
		return ch, false
	case config.ConflictSkip:
		ch.Action, ch.After = ActionNoOp, ch.Before
		ch.Reason = conflict + "; skipped (on_conflict = \"skip\")"
		return ch, true
	default:
		ch.Action, ch.Reason, ch.OCI = ActionBlocked, conflict+": bump the chart version", nil
		return ch, false
	}
}

// dependencyList renders a chart's dependencies for the After map: one
// readable string each, "; " between them.
func dependencyList(deps []state.Dependency) string {
	out := make([]string, len(deps))
	for i, d := range deps {
		out[i] = d.String()
	}
	return strings.Join(out, "; ")
}

func ociFingerprint(o state.OCIState) string {
	if !o.Exists {
		return "absent"
	}
	return o.ManifestDigest
}

// planSignature decides the cosign signature of the manifest that will be
// in the registry after the chart's change: in the formats signing.format
// asks for that hold no valid signature (state.MissingFormats), so that a
// digest never gets a second signature of one format.
func planSignature(spec *config.Spec, c config.Chart, cs *state.ChartState, oci Change) Change {
	target := cs.OCI.ManifestDigest
	if oci.Action == ActionCreate || oci.Action == ActionReplace || oci.Action == ActionBlocked {
		target = cs.OCI.LocalManifestDigest
	}
	format := spec.Signing.Format
	ch := Change{
		Address:   fmt.Sprintf("%s.%s", TypeOCISignature, c.Name),
		Type:      TypeOCISignature,
		Chart:     c.Name,
		After:     map[string]string{"manifest": target, "mode": string(spec.Signing.Mode), "reference": signatureReference(cs.OCI.Repository, target, format)},
		Signature: &SignatureChange{Repository: cs.OCI.Repository, Manifest: target},
	}
	if format != "" && format != config.FormatLegacy {
		ch.After["format"] = string(format)
	}
	sig := cs.Signature
	if oci.Action != ActionNoOp || sig == nil {
		ch.Signature.Formats = format.Kinds()
		ch.Action, ch.Reason, ch.Fingerprint = ActionCreate, "chart not yet in the registry at this digest", "unsigned"
		return ch
	}
	ch.Before = map[string]string{"manifest": target, "signatures": fmt.Sprint(sig.Count)}
	ch.Fingerprint = fmt.Sprintf("%s/%d/%t", target, sig.Count, sig.Valid)
	if len(sig.Formats) > 0 {
		// Where the valid signatures are (legacy tag, referrer, fallback
		// tag): a signature cosign v3 made counts as much as relctl's own.
		ch.Before["formats"] = strings.Join(sig.Formats, ", ")
		ch.Fingerprint += "/" + ch.Before["formats"]
	}
	missing := state.MissingFormats(sig, format)
	if len(missing) == 0 {
		ch.Action, ch.Reason = ActionNoOp, sig.Reason
		return ch
	}
	ch.Signature.Formats = missing
	ch.Action, ch.Reason = ActionCreate, sig.Reason
	if sig.Valid {
		names := make([]string, len(missing))
		for i, f := range missing {
			names[i] = string(f)
		}
		ch.Reason += fmt.Sprintf("; signs in the %s format too (format = %q)", strings.Join(names, " and "), format)
	}
	return ch
}

// signatureReference names where the signature goes, for people: the
// legacy signature tag, or for bundles alone the manifest they refer to.
func signatureReference(repository, digest string, format config.SignatureFormat) string {
	if format.Writes(config.FormatLegacy) {
		return repository + ":" + sigTag(digest)
	}
	return repository + "@" + digest + " (referrer)"
}

// sigTag is cosign's tag for the signatures of a manifest digest.
func sigTag(digest string) string {
	if len(digest) > 7 && digest[:7] == "sha256:" {
		return "sha256-" + digest[7:] + ".sig"
	}
	return digest + ".sig"
}

// short abbreviates a digest for reasons: sha256:0123456789ab.
func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}
