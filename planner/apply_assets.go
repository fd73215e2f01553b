package planner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/relctl/relctl/state"
)

// uploadAsset uploads one asset. A replace deletes the old asset first
// (GitHub refuses a second asset with the same name). When an upload fails,
// the release is observed again before anything else: the asset may have
// landed (a dropped connection after GitHub processed it), may be a leftover
// in state "starter" (removed, then uploaded again), or may be absent
// (uploaded again when the failure was ambiguous), within the retry budget.
func (a *applier) uploadAsset(ctx context.Context, cs *state.ChartState, releaseID int64, ch Change, sig *state.BlobSignature) error {
	as := ch.Asset
	if ch.Action == ActionReplace && as.Replaces != 0 {
		if err := a.w.Releases.DeleteAsset(ctx, as.Replaces); err != nil && !errors.Is(err, state.ErrNotFound) {
			return fmt.Errorf("delete asset %d before replacing it: %w", as.Replaces, err)
		}
	}
	name, want := as.Name, as.Digest
	var mismatch error
	err := a.write(ctx, func() error {
		body, size, done, err := a.assetBody(cs, as, sig)
		if err != nil {
			return err
		}
		got, err := a.w.Releases.UploadAsset(ctx, releaseID, name, body, size)
		done()
		if err == nil && want != "" && got.Digest != "" && got.Digest != want {
			mismatch = fmt.Errorf("uploaded %s has sha256 %s, expected %s: the file changed since the plan", name, got.Digest, want)
		}
		return err
	}, func() (observed, error) {
		rel, err := a.w.Releases.GetRelease(ctx, releaseID)
		if err != nil {
			return absent, err
		}
		have := findAsset(rel.Assets, name)
		switch {
		case have == nil:
			return absent, nil
		case have.State == "uploaded" && (want == "" || have.Digest == "" || have.Digest == want):
			return landed, nil
		}
		// A leftover of a failed upload, or other content under our
		// name that appeared meanwhile: clear it, then upload again.
		if err := a.w.Releases.DeleteAsset(ctx, have.ID); err != nil && !errors.Is(err, state.ErrNotFound) {
			return absent, fmt.Errorf("removing the leftover asset %d: %w", have.ID, err)
		}
		return cleared, nil
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", name, err)
	}
	return mismatch
}

func findAsset(assets []state.Asset, name string) *state.Asset {
	for i := range assets {
		if assets[i].Name == name {
			return &assets[i]
		}
	}
	return nil
}

// confirm checks that the release holds every wanted asset, uploaded and
// with the planned sha256, before it may be published.
func (a *applier) confirm(ctx context.Context, releaseID int64, wanted []*AssetChange) error {
	rel, err := a.w.Releases.GetRelease(ctx, releaseID)
	if err != nil {
		return fmt.Errorf("confirm assets of release %d: %w", releaseID, err)
	}
	var problems []string
	for _, as := range wanted {
		name, want := as.Name, as.Digest
		have := findAsset(rel.Assets, name)
		switch {
		case have == nil:
			problems = append(problems, name+" missing")
		case have.State != "uploaded":
			problems = append(problems, fmt.Sprintf("%s in state %q", name, have.State))
		case want != "" && have.Digest != "" && have.Digest != want:
			problems = append(problems, fmt.Sprintf("%s has sha256 %s, expected %s", name, short(have.Digest), short(want)))
		case want != "" && have.Digest == "" && as.Size > 0 && have.Size != as.Size:
			problems = append(problems, fmt.Sprintf("%s has %d bytes, expected %d", name, have.Size, as.Size))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("release %s is incomplete, not publishing it: %s", rel.TagName, strings.Join(problems, "; "))
	}
	return nil
}

// publish turns a complete draft into a published release.
func (a *applier) publish(ctx context.Context, p pendingPublish) error {
	ch := p.change
	ch.Action, ch.Reason = ActionPublish, "every asset uploaded and confirmed"
	a.hook.Start(ch)
	spec := p.want
	spec.Draft = false
	_, err := a.w.Releases.UpdateRelease(ctx, p.id, spec)
	if err != nil {
		err = fmt.Errorf("%s: publish release %d: %w", ch.Address, p.id, err)
	} else {
		a.mu.Lock()
		a.res.Published = append(a.res.Published, p.chart)
		a.mu.Unlock()
	}
	a.hook.Done(ch, err)
	if err == nil && p.tag != nil && p.tag.Action == ActionCreate {
		// GitHub created the tag with the publication.
		a.hook.Start(*p.tag)
		a.applied(*p.tag)
		a.hook.Done(*p.tag, nil)
	}
	return err
}
