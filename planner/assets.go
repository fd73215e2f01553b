package planner

import (
	"fmt"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// desiredAssets lists the assets of the chart's release in upload order: the
// package, its signature (and certificate when keyless), then the chart's
// files and the spec's extra files. A required file that is missing, or two
// files that would get one name, block the release.
func desiredAssets(spec *config.Spec, snap *state.Snapshot, c config.Chart, cs *state.ChartState) ([]desiredAsset, []Warning, []Change, error) {
	var (
		out      []desiredAsset
		warnings []Warning
		blocked  []Change
	)
	// When the registry holds another tool's archive of the same files,
	// the release carries those bytes, so registry and release agree.
	pkg := desiredAsset{Name: cs.Package.FileName, Source: SourcePackage, Digest: cs.ReleasedDigest(), Size: int64(len(cs.ReleasedArchive()))}
	out = append(out, pkg)
	out = append(out, signatureAssets(spec.Signing, pkg.Name)...)

	if cs.Lineage != nil {
		b, warns, err := lineageFile(c, cs, snap, finalManifest(cs), provenanceFormat(spec))
		if err != nil {
			return nil, nil, nil, err
		}
		warnings = append(warnings, warns...)
		out = append(out, desiredAsset{Name: state.LineageAssetName(c.Name), Source: SourceLineage, Digest: digestOf(b), Size: int64(len(b))})
	}

	required := map[string]bool{}
	for _, a := range spec.Release.Assets {
		required[state.AssetName(baseName(a.Name))] = a.Required
	}
	seen := map[string]string{}
	for _, d := range out {
		seen[d.Name] = "the chart package"
	}
	for _, la := range cs.Assets {
		addr := assetAddress(c.Name, la.Name)
		if la.Missing {
			if required[la.Name] {
				blocked = append(blocked, Change{Address: addr, Type: TypeReleaseAsset, Chart: c.Name, Name: la.Name, Action: ActionBlocked,
					Reason: fmt.Sprintf("required asset %s is missing from %s", la.Name, c.RelDir)})
			} else {
				warnings = append(warnings, chartWarning(c.Name, "optional asset "+la.Name+" missing", "optional asset %s not found in %s; the release goes without it", la.Name, c.RelDir))
			}
			continue
		}
		if prev, dup := seen[la.Name]; dup {
			blocked = append(blocked, Change{Address: addr, Type: TypeReleaseAsset, Chart: c.Name, Name: la.Name, Action: ActionBlocked,
				Reason: fmt.Sprintf("%s and %s would both be uploaded as %q", la.Path, prev, la.Name)})
			continue
		}
		seen[la.Name] = la.Path
		if la.SourceName != "" {
			warnings = append(warnings, chartWarning(c.Name, fmt.Sprintf("%s uploaded as %q", la.SourceName, la.Name), "%s is uploaded as %q: GitHub renames special characters", la.SourceName, la.Name))
		}
		out = append(out, desiredAsset{Name: la.Name, Source: SourceFile, Path: la.Path, Digest: la.Digest, Size: la.Size})
	}
	return out, warnings, blocked, nil
}

// signatureAssets are the signature files of the package, one signing:
// `cosign sign-blob`'s .sig (and .pem when keyless) for the legacy format,
// `cosign sign-blob --bundle`'s .sigstore.json for the bundle format.
func signatureAssets(s config.Signing, pkgName string) []desiredAsset {
	if s.Mode != config.SigningKey && s.Mode != config.SigningKeyless {
		return nil
	}
	var out []desiredAsset
	if s.Format.Writes(config.FormatLegacy) {
		out = append(out, desiredAsset{Name: pkgName + ".sig", Source: SourceSignature})
		if s.Mode == config.SigningKeyless {
			out = append(out, desiredAsset{Name: pkgName + ".pem", Source: SourceCertificate})
		}
	}
	if s.Format.Writes(config.FormatBundle) {
		out = append(out, desiredAsset{Name: state.BundleAssetName(pkgName), Source: SourceBundle})
	}
	return out
}

// finalManifest is the digest the registry holds for the chart once the
// plan is applied: the remote one when the chart is published or adopted,
// else the one the push writes.
func finalManifest(cs *state.ChartState) string {
	if o := cs.OCI; o.Exists && (o.ManifestDigest == o.LocalManifestDigest || cs.Adopted()) {
		return o.ManifestDigest
	}
	return cs.OCI.LocalManifestDigest
}

// assetChange plans one asset. resign, when not empty, says why the
// signature files the draft holds are replaced by a new signing.
func assetChange(spec *config.Spec, c config.Chart, d desiredAsset, keep *state.Release, resign string) (ch Change) {
	ch = Change{
		Address: assetAddress(c.Name, d.Name),
		Type:    TypeReleaseAsset,
		Chart:   c.Name,
		Name:    d.Name,
		Asset:   &d,
	}
	defer func() {
		if ch.After == nil {
			ch.After = d.after()
		}
		if ch.Action == ActionBlocked {
			ch.Asset = nil
		}
	}()
	if keep == nil {
		ch.Action, ch.Reason, ch.Fingerprint = ActionCreate, "release absent", "absent"
		return ch
	}
	locked := !keep.Draft && keep.Immutable
	var have *state.Asset
	for i := range keep.Assets {
		if keep.Assets[i].Name == d.Name {
			have = &keep.Assets[i]
			break
		}
	}
	if have == nil {
		ch.Fingerprint = "absent"
		if locked {
			ch.Action, ch.Reason = ActionBlocked, fmt.Sprintf("release %s is published and immutable: its assets are locked, so %s cannot be added", keep.TagName, d.Name)
			return ch
		}
		ch.Action, ch.Reason = ActionCreate, "asset absent"
		return ch
	}
	ch.Before = map[string]string{"id": fmt.Sprint(have.ID), "name": have.Name, "state": have.State, "digest": have.Digest, "size": fmt.Sprint(have.Size)}
	ch.Fingerprint = fmt.Sprintf("%d/%s/%s", have.ID, have.State, have.Digest)
	d.Replaces = have.ID
	// present keeps the asset the release holds: what confirm then
	// expects is that asset, as observed.
	present := func(reason string) {
		ch.Action, ch.Reason, ch.After = ActionNoOp, reason, ch.Before
		d.Digest, d.Size, d.Replaces = have.Digest, have.Size, 0
	}
	switch {
	case have.State != "uploaded":
		if locked {
			ch.Action, ch.Reason = ActionBlocked, fmt.Sprintf("asset left in state %q by a failed upload, and release %s is immutable", have.State, keep.TagName)
			return ch
		}
		ch.Action, ch.Reason = ActionReplace, fmt.Sprintf("left in state %q by a failed upload", have.State)
	case d.Source.signed() && resign != "":
		ch.Action, ch.Reason = ActionReplace, resign
	case d.Source.signed() && keep.SignatureSet != nil:
		// Verified with its partner against the package by observation.
		present("present, " + keep.SignatureSet.Reason)
	case d.Digest == "":
		// Signatures are not reproducible: an uploaded one stands;
		// `relctl verify` checks it against the package.
		present("present")
	case d.Source == SourceLineage && !keep.Draft:
		// Published, the lineage file is the ledger of what was
		// released; attestations added since do not rewrite it.
		present("present: the published release's ledger")
	case have.Digest == d.Digest:
		present("present, sha256 equal")
	default:
		conflict := fmt.Sprintf("asset has other content: %s ≠ %s", short(have.Digest), short(d.Digest))
		switch {
		case spec.GitHub.OnAssetConflict != config.AssetConflictReplace:
			ch.Action, ch.Reason = ActionBlocked, conflict+" (on_asset_conflict = \"fail\")"
		case locked:
			ch.Action, ch.Reason = ActionBlocked, conflict+fmt.Sprintf("; release %s is published and immutable, so it cannot be replaced", keep.TagName)
		default:
			ch.Action, ch.Reason = ActionReplace, conflict+" (on_asset_conflict = \"replace\")"
		}
	}
	return ch
}

func assetAddress(chart, name string) string {
	return fmt.Sprintf("%s.%s[%q]", TypeReleaseAsset, chart, name)
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// resignReason says why the signature files of a draft must all be made
// again by one new signing, or "" when they stand. The .sig and the .pem of
// keyless mode verify only together: a run that died between their uploads
// leaves half a set, and completing it with a second signing publishes a
// pair that fails verification. So when any of them is missing, or
// observation found that they do not verify the package together, every
// one is replaced, while the release is still a draft. A published release
// is never re-signed here: `relctl verify` reports it.
func resignReason(keep *state.Release, desired []desiredAsset) string {
	if keep == nil || !keep.Draft {
		return ""
	}
	if set := keep.SignatureSet; set != nil && !set.Valid {
		return "signature files not from one signing of the package: " + set.Reason + "; signed again"
	}
	var have, missing []string
	for _, d := range desired {
		if !d.Source.signed() {
			continue
		}
		if a := uploaded(keep.Assets, d.Name); a != nil {
			have = append(have, d.Name)
		} else {
			missing = append(missing, d.Name)
		}
	}
	if len(have) > 0 && len(missing) > 0 {
		return fmt.Sprintf("%s is missing, and a new signing cannot complete the old one: %s signed again", missing[0], have[0])
	}
	return ""
}

// uploaded finds a fully uploaded asset by name.
func uploaded(assets []state.Asset, name string) *state.Asset {
	for i := range assets {
		if assets[i].Name == name && assets[i].State == "uploaded" {
			return &assets[i]
		}
	}
	return nil
}
