package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/notes"
	"github.com/relctl/relctl/state"
)

// desiredAsset is one asset the chart's release must carry.
type desiredAsset = AssetChange

// planRelease decides the chart's GitHub release and its assets.
func planRelease(spec *config.Spec, snap *state.Snapshot, c config.Chart, cs *state.ChartState) ([]Change, []Warning, error) {
	body, err := renderNotes(spec, c, cs)
	if err != nil {
		return nil, nil, fmt.Errorf("release notes of %s: %w", c.Name, err)
	}
	want := state.ReleaseSpec{
		TagName:         c.Tag,
		TargetCommitish: snap.Commit,
		Name:            c.Title,
		Body:            body,
		Prerelease:      c.Prerelease,
		MakeLatest:      fmt.Sprint(spec.GitHub.MakeLatest),
	}
	keep, dupes := pickRelease(cs.Releases)
	rel := releaseChange(spec, c, want, keep, dupes)
	rel.Fingerprint = releasesFingerprint(cs.Releases)

	desired, warnings, blocked, err := desiredAssets(spec, snap, c, cs)
	if err != nil {
		return nil, nil, err
	}
	if keep != nil && !keep.Draft {
		// A published release has been told once already.
		warnings = nil
	}
	changes := []Change{rel}
	if tag, ok := tagChange(c, cs, snap, keep); ok {
		changes = append(changes, tag)
	}
	changes = append(changes, blocked...)
	resign := resignReason(keep, desired)
	for _, d := range desired {
		changes = append(changes, packageProvenance(assetChange(spec, c, d, keep, resign), cs))
	}
	return changes, warnings, nil
}

// pickRelease chooses the release to keep among those with the chart's tag
// (oldest first): the published one if any, else the oldest draft. The other
// drafts are duplicates left by a crashed run. A published release is never
// a duplicate: GitHub allows one per tag.
func pickRelease(rels []state.Release) (keep *state.Release, dupes []state.Release) {
	// state decides it too: the release whose package it may adopt.
	keep = state.KeptRelease(rels)
	for i := range rels {
		if &rels[i] != keep && rels[i].Draft {
			dupes = append(dupes, rels[i])
		}
	}
	return keep, dupes
}

func releaseChange(spec *config.Spec, c config.Chart, want state.ReleaseSpec, keep *state.Release, dupes []state.Release) Change {
	r := &ReleaseChange{
		Tag:             want.TagName,
		TargetCommitish: want.TargetCommitish,
		Title:           want.Name,
		Body:            want.Body,
		Prerelease:      want.Prerelease,
		MakeLatest:      want.MakeLatest,
	}
	ch := Change{
		Address: fmt.Sprintf("%s.%s", TypeRelease, c.Name),
		Type:    TypeRelease,
		Chart:   c.Name,
		Release: r,
	}
	if keep == nil {
		ch.Action, ch.Reason = ActionCreate, "no release for tag "+want.TagName+"; created as a draft, published once every asset is uploaded"
		ch.After = r.after()
		ch.After["body"] = want.Body
		return ch
	}
	r.ID, r.Draft = keep.ID, keep.Draft
	ch.Before = map[string]string{
		"id":         fmt.Sprint(keep.ID),
		"tag":        keep.TagName,
		"title":      keep.Name,
		"notes":      digestOf([]byte(keep.Body)),
		"prerelease": fmt.Sprint(keep.Prerelease),
		"draft":      fmt.Sprint(keep.Draft),
	}
	var reasons []string
	if keep.Draft {
		reasons = append(reasons, fmt.Sprintf("draft %d exists (left by an earlier run): complete and publish it", keep.ID))
	}
	if len(dupes) > 0 {
		ids := make([]string, len(dupes))
		for i, d := range dupes {
			ids[i] = fmt.Sprint(d.ID)
			r.DeleteDrafts = append(r.DeleteDrafts, d.ID)
		}
		reasons = append(reasons, fmt.Sprintf("%d duplicate draft(s) for the tag: keep %d, delete %s", len(dupes), keep.ID, strings.Join(ids, ", ")))
	}
	if keep.Name != want.Name {
		reasons = append(reasons, fmt.Sprintf("title differs: %q → %q", keep.Name, want.Name))
	}
	if keep.Prerelease != want.Prerelease {
		reasons = append(reasons, fmt.Sprintf("prerelease differs: %t → %t", keep.Prerelease, want.Prerelease))
	}
	notesDiffer := strings.TrimSpace(keep.Body) != strings.TrimSpace(want.Body)
	updateNotes := notesDiffer && spec.GitHub.UpdateNotes
	if updateNotes {
		reasons = append(reasons, "notes differ")
	} else {
		// Kept as they are: update_notes = false, or they differ only in
		// surrounding whitespace, which is no reason to edit a release.
		r.Body = keep.Body
	}
	r.Edit = keep.Name != want.Name || keep.Prerelease != want.Prerelease || updateNotes
	ch.After = r.after()
	if updateNotes {
		ch.After["body"] = want.Body
	}
	if len(reasons) == 0 {
		ch.Action, ch.Reason = ActionNoOp, "published"
		if notesDiffer {
			ch.Reason = "published; notes differ but update_notes = false"
		}
		return ch
	}
	ch.Action, ch.Reason = ActionUpdate, strings.Join(reasons, "; ")
	return ch
}

func releasesFingerprint(rels []state.Release) string {
	if len(rels) == 0 {
		return "none"
	}
	var parts []string
	for _, r := range rels {
		var as []string
		for _, a := range r.Assets {
			as = append(as, a.Name+"="+a.State+"/"+a.Digest)
		}
		sort.Strings(as)
		parts = append(parts, fmt.Sprintf("%d/%t/%s/%s/[%s]", r.ID, r.Draft, r.Name, digestOf([]byte(r.Body)), strings.Join(as, " ")))
	}
	return digestOf([]byte(strings.Join(parts, "\n")))
}

func renderNotes(spec *config.Spec, c config.Chart, cs *state.ChartState) (string, error) {
	d := notes.Data{
		Chart:            c.Name,
		Version:          c.Version,
		AppVersion:       cs.Meta.AppVersion,
		Description:      cs.Meta.Description,
		Repository:       spec.Registry.Repository,
		Tag:              c.Tag,
		Changelog:        cs.Changelog,
		Changes:          cs.Meta.Changes,
		GitHubRepository: spec.GitHub.Repository,
		Signing: notes.Signing{
			Mode:          string(spec.Signing.Mode),
			KeyRef:        publicKeyRef(spec.Signing.Key, spec.Signing.PublicKey),
			Issuer:        spec.Signing.Identity.Issuer,
			SubjectRegexp: spec.Signing.Identity.SubjectRegexp,
			// Its file name: the path is this machine's.
			TrustedRoot: spec.Signing.TrustedRoot[strings.LastIndexAny(spec.Signing.TrustedRoot, `/\`)+1:],
		},
	}
	if d.Signing.Mode == "" {
		d.Signing.Mode = string(config.SigningNone)
	}
	return notes.Render(spec.Release.NotesTemplate, d)
}

// publicKeyRef is the key users verify with: signing.public_key when set
// (by its file name), else cosign.key → cosign.pub; KMS and env references
// are shown as they are.
func publicKeyRef(key, public string) string {
	if public != "" {
		key = public
	}
	if key == "" || strings.Contains(key, "://") {
		return key
	}
	base := key[strings.LastIndexAny(key, `/\`)+1:]
	if public != "" {
		return base
	}
	return strings.TrimSuffix(base, ".key") + ".pub"
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
