package planner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/relctl/relctl/state"
)

// ActionPublish appears only in apply progress: the moment a complete draft
// becomes a published release.
const ActionPublish Action = "publish"

// release creates or completes the chart's release as a draft, uploads and
// confirms every asset, and publishes it (or hands it to the atomic phase).
func (a *applier) release(ctx context.Context, cs *state.ChartState, rel Change, tag *Change, assets []Change, signed bool) (*pendingPublish, error) {
	r := rel.Release
	if r == nil {
		return nil, errNoPayload(rel)
	}
	want := state.ReleaseSpec{
		TagName:         r.Tag,
		TargetCommitish: r.TargetCommitish,
		Name:            r.Title,
		Body:            r.Body,
		Prerelease:      r.Prerelease,
		MakeLatest:      r.MakeLatest,
	}

	id, draft := r.ID, r.Draft
	err := a.step(rel, func() error {
		if id == 0 {
			created, err := a.createDraft(ctx, want)
			if err != nil {
				return err
			}
			id, draft = created.ID, true
			return nil
		}
		for _, dup := range r.DeleteDrafts {
			if err := a.w.Releases.DeleteRelease(ctx, dup); err != nil && !errors.Is(err, state.ErrNotFound) {
				return fmt.Errorf("delete duplicate draft %d: %w", dup, err)
			}
		}
		if r.Edit {
			upd := want
			upd.Draft, upd.MakeLatest = draft, ""
			if _, err := a.w.Releases.UpdateRelease(ctx, id, upd); err != nil {
				return fmt.Errorf("update release %d: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	var blobSig *state.BlobSignature
	var wanted []*AssetChange
	for _, ch := range assets {
		as := ch.Asset
		if as == nil {
			return nil, errNoPayload(ch)
		}
		if !signed && as.Source.signed() {
			continue
		}
		wanted = append(wanted, as)
		if ch.Action != ActionCreate && ch.Action != ActionReplace {
			continue
		}
		if as.Source.signed() && blobSig == nil {
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

// createDraft creates the release as a draft. GitHub allows several drafts
// of one tag, so a create is not repeated blindly: after a failure the
// releases are listed again, and a draft of the tag that landed anyway (the
// connection dropped after GitHub processed the POST) is adopted; when none
// did, the create is tried again within the retry budget.
func (a *applier) createDraft(ctx context.Context, want state.ReleaseSpec) (state.Release, error) {
	d := want
	d.Draft, d.MakeLatest = true, ""
	var made state.Release
	err := a.write(ctx, func() error {
		r, err := a.w.Releases.CreateRelease(ctx, d)
		made = r
		return err
	}, func() (observed, error) {
		all, err := a.w.Releases.ListReleases(ctx)
		if err != nil {
			return absent, err
		}
		// The plan saw no release of the tag: a draft of it now is ours.
		for _, rel := range all {
			if rel.TagName == want.TagName && rel.Draft {
				made = rel
				return landed, nil
			}
		}
		return absent, nil
	})
	if err != nil {
		return state.Release{}, fmt.Errorf("create draft for %s: %w", want.TagName, err)
	}
	return made, nil
}

// archive is the .tgz the release carries: the registry's bytes when the
// registry holds another tool's archive of the same files.
func (a *applier) archive(cs *state.ChartState) []byte { return cs.ReleasedArchive() }

// lineage renders the chart's lineage file again, from the snapshot the
// plan was computed from: the same bytes the plan's digest names.
func (a *applier) lineage(cs *state.ChartState) ([]byte, error) {
	for _, c := range a.spec.Charts {
		if c.Name == cs.Name {
			b, _, err := lineageFile(c, cs, a.snap, finalManifest(cs), provenanceFormat(a.spec))
			return b, err
		}
	}
	return nil, fmt.Errorf("chart %s is not in the spec", cs.Name)
}

func (a *applier) assetBody(cs *state.ChartState, as *AssetChange, sig *state.BlobSignature) (io.ReadSeeker, int64, func(), error) {
	switch as.Source {
	case SourcePackage:
		b := a.archive(cs)
		return bytes.NewReader(b), int64(len(b)), func() {}, nil
	case SourceSignature:
		if len(sig.Signature) == 0 {
			return nil, 0, nil, errors.New("the signer returned no signature")
		}
		return bytes.NewReader(sig.Signature), int64(len(sig.Signature)), func() {}, nil
	case SourceBundle:
		if len(sig.Bundle) == 0 {
			return nil, 0, nil, errors.New("the signer returned no Sigstore bundle")
		}
		return bytes.NewReader(sig.Bundle), int64(len(sig.Bundle)), func() {}, nil
	case SourceLineage:
		b, err := a.lineage(cs)
		if err != nil {
			return nil, 0, nil, err
		}
		return bytes.NewReader(b), int64(len(b)), func() {}, nil
	case SourceCertificate:
		if len(sig.Certificate) == 0 {
			return nil, 0, nil, errors.New("the signer returned no certificate")
		}
		return bytes.NewReader(sig.Certificate), int64(len(sig.Certificate)), func() {}, nil
	case SourceFile:
	default:
		return nil, 0, nil, fmt.Errorf("asset %s has unknown source %q", as.Name, as.Source)
	}
	f, err := os.Open(as.Path)
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
