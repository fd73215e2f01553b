package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/relctl/relctl/config"
)

// The payloads below are the typed instructions a change carries from Plan
// to Apply (STYLE.md §12). Plan fills the one matching the change's Type;
// Apply reads only the payload, never Before/After, which are derived from
// it for people to read. A blocked change has no payload: it is never
// applied. They are part of the saved plan (JSON "payload"), so their json
// names are a public format: add fields, never rename them.

// OCIChange is what pushing the chart to the registry needs.
type OCIChange struct {
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
	// Digest is the manifest the push must produce.
	Digest string `json:"digest"`
	// Previous is the manifest the tag held when the plan was made; a
	// replace goes ahead only while the tag is still there. Empty: absent.
	Previous string `json:"previous,omitempty"`
}

// SignatureChange is what signing the chart's manifest needs.
type SignatureChange struct {
	Repository string `json:"repository"`
	Manifest   string `json:"manifest"`
	// Formats are the formats to sign in ("legacy", "bundle"): those
	// signing.format asks for that held no valid signature at plan time.
	// Empty means legacy (plans saved before formats existed).
	Formats []config.SignatureFormat `json:"formats,omitempty"`
}

// formats is what Apply signs in.
func (s *SignatureChange) formats() []config.SignatureFormat {
	if len(s.Formats) == 0 {
		return []config.SignatureFormat{config.FormatLegacy}
	}
	return s.Formats
}

// ReleaseChange is what creating or completing the chart's GitHub release
// needs. Title, Body and Prerelease are the release as it must be once
// published; Body is the release's current notes when update_notes = false
// keeps them.
type ReleaseChange struct {
	Tag             string `json:"tag"`
	TargetCommitish string `json:"target_commitish,omitempty"`
	Title           string `json:"title"`
	Body            string `json:"body"`
	Prerelease      bool   `json:"prerelease"`
	MakeLatest      string `json:"make_latest,omitempty"`
	// ID is the release to complete; 0 means none exists: create a draft.
	ID int64 `json:"id,omitempty"`
	// Draft is true when the release at ID is still a draft, so it is
	// published once complete.
	Draft bool `json:"draft,omitempty"`
	// Edit is true when the release at ID has another title, body or
	// prerelease flag than the above.
	Edit bool `json:"edit,omitempty"`
	// DeleteDrafts are the other drafts of the tag, left by crashed runs.
	DeleteDrafts []int64 `json:"delete_drafts,omitempty"`
}

// AssetSource says where an asset's bytes come from at apply time.
type AssetSource string

const (
	SourcePackage     AssetSource = "package"     // the chart archive
	SourceSignature   AssetSource = "signature"   // cosign sign-blob of the archive
	SourceCertificate AssetSource = "certificate" // its certificate (keyless)
	SourceBundle      AssetSource = "bundle"      // the Sigstore bundle of the same signing
	SourceFile        AssetSource = "file"        // a file of the chart or the spec
	SourceLineage     AssetSource = "lineage"     // the attestation lineage file
)

// signed reports whether the asset exists only when the chart is signed.
func (s AssetSource) signed() bool {
	return s == SourceSignature || s == SourceCertificate || s == SourceBundle
}

// AssetChange is what uploading and confirming one release asset needs.
type AssetChange struct {
	Name   string      `json:"name"`
	Source AssetSource `json:"source"`
	// Path is the local file, for SourceFile.
	Path string `json:"path,omitempty"`
	// Digest and Size are what the release must hold; Digest is empty
	// when only apply can compute it (signatures are not reproducible).
	Digest string `json:"digest,omitempty"`
	Size   int64  `json:"size,omitempty"`
	// Replaces is the asset deleted before the upload (a replace).
	Replaces int64 `json:"replaces,omitempty"`
}

// TagChange is the chart's release tag; GitHub creates it when the release
// is published, so Apply writes nothing for it.
type TagChange struct {
	Tag    string `json:"tag"`
	Commit string `json:"commit,omitempty"`
}

// after renders the release payload for people, with the keys of format 1.
func (r *ReleaseChange) after() map[string]string {
	m := map[string]string{
		"tag":         r.Tag,
		"title":       r.Title,
		"notes":       digestOf([]byte(r.Body)),
		"prerelease":  strconv.FormatBool(r.Prerelease),
		"draft":       "false",
		"make_latest": r.MakeLatest,
	}
	if r.TargetCommitish != "" {
		m["target_commitish"] = r.TargetCommitish
	}
	if r.ID != 0 {
		m["id"] = fmt.Sprint(r.ID)
	}
	if len(r.DeleteDrafts) > 0 {
		ids := make([]string, len(r.DeleteDrafts))
		for i, id := range r.DeleteDrafts {
			ids[i] = fmt.Sprint(id)
		}
		m["delete_drafts"] = strings.Join(ids, ",")
	}
	return m
}

// after renders the asset payload for people, with the keys of format 1.
func (a *AssetChange) after() map[string]string {
	m := map[string]string{"name": a.Name, "source": string(a.Source), "digest": a.Digest}
	if a.Digest == "" {
		m["digest"] = KnownAfterApply
	}
	if a.Path != "" {
		m["path"] = a.Path
	}
	if a.Size > 0 {
		m["size"] = fmt.Sprint(a.Size)
	}
	if a.Replaces != 0 {
		m["replaces"] = fmt.Sprint(a.Replaces)
	}
	return m
}
