package planner

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// inputsHash covers everything local that a plan depends on: the spec's
// values and each chart's package, files and changelog. Absolute paths and
// source positions are left out, so a checkout in another folder has the
// same hash.
func inputsHash(spec *config.Spec, snap *state.Snapshot) (string, error) {
	type chartInputs struct {
		Name, Version, Tag, Title   string
		Package, Content, Manifest  string
		Changelog, Description, App string
		Changes                     string
		Assets                      []string
	}
	in := struct {
		Registry string
		Policy   string
		GitHub   []string
		Signing  []string
		Release  []string
		Commit   string
		Charts   []chartInputs
		// ArtifactHub is omitted when absent, so that the hash of a spec
		// without the block is what it was before the block existed.
		ArtifactHub []string `json:",omitempty"`
		// Provenance, likewise, is set only with signing { provenance }:
		// the spec file's digest, which the attestation records.
		Provenance string `json:",omitempty"`
	}{
		Registry: spec.Registry.Repository,
		Policy:   string(spec.Registry.OnConflict),
		Commit:   snap.Commit,
	}
	if g := spec.GitHub; g != nil {
		in.GitHub = []string{g.Repository, fmt.Sprint(g.MakeLatest), string(g.OnAssetConflict), fmt.Sprint(g.UpdateNotes)}
	}
	if ah := spec.ArtifactHub; ah != nil {
		in.ArtifactHub = []string{ah.RepositoryID}
		for _, o := range ah.Owners {
			in.ArtifactHub = append(in.ArtifactHub, o.Name+" <"+o.Email+">")
		}
	}
	s := spec.Signing
	if s.Provenance {
		in.Provenance = spec.Digest
	}
	in.Signing = []string{string(s.Mode), relTo(spec.Dir, s.Key), relTo(spec.Dir, s.PublicKey), s.Identity.Issuer, s.Identity.SubjectRegexp, s.FulcioURL, s.RekorURL, fmt.Sprint(s.TlogUpload), string(s.OnFailure)}
	if s.Format != "" && s.Format != config.FormatLegacy {
		// Only when set, so that plans saved before the setting existed
		// keep their hash.
		in.Signing = append(in.Signing, "format="+string(s.Format))
	}
	in.Release = append([]string{fmt.Sprint(spec.Release.Atomic), spec.Release.NotesTemplate}, spec.Release.Files...)
	for _, a := range spec.Release.Assets {
		in.Release = append(in.Release, fmt.Sprintf("%s/%t", a.Name, a.Required))
	}
	for _, c := range spec.Charts {
		cs := snap.Chart(c.Name)
		ci := chartInputs{Name: c.Name, Version: c.Version, Tag: c.Tag, Title: c.Title,
			Package: cs.Package.Digest, Content: cs.Package.ContentDigest, Manifest: cs.OCI.LocalManifestDigest,
			Changelog: digestOf(cs.Changelog), Description: cs.Meta.Description, App: cs.Meta.AppVersion, Changes: cs.Meta.Changes}
		for _, a := range cs.Assets {
			ci.Assets = append(ci.Assets, fmt.Sprintf("%s/%s/%t", a.Name, a.Digest, a.Missing))
		}
		in.Charts = append(in.Charts, ci)
	}
	b, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	return digestOf(b), nil
}

// relTo makes a path inside dir relative to it; other values (env://, KMS
// references, paths elsewhere) are kept as they are.
func relTo(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && filepath.IsAbs(path) && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}
