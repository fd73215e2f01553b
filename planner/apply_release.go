package planner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/relctl/relctl/state"
)

// ActionPublish appears only in apply progress: the moment a complete draft
// becomes a published release.
const ActionPublish Action = "publish"

// release creates or completes the chart's release as a draft, uploads and
// confirms every asset, and publishes it (or hands it to the atomic phase).
func (a *applier) release(ctx context.Context, cs *state.ChartState, rel Change, tag *Change, assets []Change, signed bool) (*pendingPublish, error) {
	keep, _ := pickRelease(cs.Releases)
	want := state.ReleaseSpec{
		TagName:         rel.After["tag"],
		TargetCommitish: rel.After["target_commitish"],
		Name:            rel.After["title"],
		Body:            rel.After["body"],
		Prerelease:      rel.After["prerelease"] == "true",
		MakeLatest:      rel.After["make_latest"],
	}
	if _, ok := rel.After["body"]; !ok && keep != nil {
		want.Body = keep.Body
	}

	var id int64
	draft := true
	err := a.step(rel, func() error {
		if keep == nil {
			r, err := a.createDraft(ctx, cs, want)
			if err != nil {
				return err
			}
			id = r.ID
			return nil
		}
		id, draft = keep.ID, keep.Draft
		for _, s := range strings.Split(rel.After["delete_drafts"], ",") {
			if s == "" {
				continue
			}
			dup, _ := strconv.ParseInt(s, 10, 64)
			if err := a.w.Releases.DeleteRelease(ctx, dup); err != nil && !errors.Is(err, state.ErrNotFound) {
				return fmt.Errorf("delete duplicate draft %d: %w", dup, err)
			}
		}
		if keep.Name != want.Name || keep.Body != want.Body || keep.Prerelease != want.Prerelease {
			upd := want
			upd.Draft, upd.MakeLatest = keep.Draft, ""
			if _, err := a.w.Releases.UpdateRelease(ctx, id, upd); err != nil {
				return fmt.Errorf("update release %d: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if keep != nil {
		id, draft = keep.ID, keep.Draft
	}

	var blobSig *state.BlobSignature
	var wanted []Change
	for _, ch := range assets {
		src := ch.After["source"]
		if !signed && (src == sourceSignature || src == sourceCert) {
			continue
		}
		wanted = append(wanted, ch)
		if ch.Action != ActionCreate && ch.Action != ActionReplace {
			continue
		}
		if (src == sourceSignature || src == sourceCert) && blobSig == nil {
			if a.w.Signer == nil {
				return nil, fmt.Errorf("%s: signing is configured but no signer is available", ch.Address)
			}
			if blobSig, err = a.w.Signer.SignBlob(ctx, a.archive(cs)); err != nil {
				return nil, fmt.Errorf("%s: sign %s: %w", ch.Address, cs.Package.FileName, err)
			}
		}
		if err := a.step(ch, func() error { return a.uploadAsset(ctx, cs, id, ch, blobSig) }); err != nil {
			return nil, err
		}
	}
	if err := a.confirm(ctx, id, wanted); err != nil {
		return nil, fmt.Errorf("%s: %w", rel.Address, err)
	}
	if !draft {
		return nil, nil
	}
	pub := &pendingPublish{chart: cs.Name, change: rel, tag: tag, id: id, want: want}
	if a.plan.Atomic {
		return pub, nil
	}
	return nil, a.publish(ctx, *pub)
}

// createDraft creates the release as a draft. After a failure whose outcome
// is unknown (the connection dropped after GitHub may have processed the
// POST) it re-lists before giving up, and adopts a draft that did land, so a
// retry never makes a duplicate.
func (a *applier) createDraft(ctx context.Context, cs *state.ChartState, want state.ReleaseSpec) (state.Release, error) {
	d := want
	d.Draft, d.MakeLatest = true, ""
	r, err := a.w.Releases.CreateRelease(ctx, d)
	if err == nil {
		return r, nil
	}
	known := map[int64]bool{}
	for _, k := range cs.Releases {
		known[k.ID] = true
	}
	all, lerr := a.w.Releases.ListReleases(ctx)
	if lerr != nil {
		return state.Release{}, fmt.Errorf("create draft for %s: %w (re-listing releases also failed: %v)", want.TagName, err, lerr)
	}
	for _, rel := range all {
		if rel.TagName == want.TagName && rel.Draft && !known[rel.ID] {
			return rel, nil
		}
	}
	return state.Release{}, fmt.Errorf("create draft for %s: %w", want.TagName, err)
}

// archive is the .tgz the release carries: the registry's bytes when the
// registry holds another tool's archive of the same files.
func (a *applier) archive(cs *state.ChartState) []byte { return cs.ReleasedArchive() }

// lineage renders the chart's lineage file again, from the snapshot the
// plan was computed from: the same bytes the plan's digest names.
func (a *applier) lineage(cs *state.ChartState) ([]byte, error) {
	for _, c := range a.spec.Charts {
		if c.Name == cs.Name {
			b, _, err := lineageFile(c, cs, a.snap, finalManifest(cs))
			return b, err
		}
	}
	return nil, fmt.Errorf("chart %s is not in the spec", cs.Name)
}

func (a *applier) assetBody(cs *state.ChartState, ch Change, sig *state.BlobSignature) (io.ReadSeeker, int64, func(), error) {
	switch ch.After["source"] {
	case sourcePackage:
		b := a.archive(cs)
		return bytes.NewReader(b), int64(len(b)), func() {}, nil
	case sourceSignature:
		return bytes.NewReader(sig.Signature), int64(len(sig.Signature)), func() {}, nil
	case sourceLineage:
		b, err := a.lineage(cs)
		if err != nil {
			return nil, 0, nil, err
		}
		return bytes.NewReader(b), int64(len(b)), func() {}, nil
	case sourceCert:
		if len(sig.Certificate) == 0 {
			return nil, 0, nil, errors.New("the signer returned no certificate")
		}
		return bytes.NewReader(sig.Certificate), int64(len(sig.Certificate)), func() {}, nil
	}
	f, err := os.Open(ch.After["path"])
	if err != nil {
		return nil, 0, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, err
	}
	return f, fi.Size(), func() { f.Close() }, nil
}
