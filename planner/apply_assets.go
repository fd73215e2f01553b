package planner

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/relctl/relctl/state"
)

// uploadAsset uploads one asset. A replace deletes the old asset first
// (GitHub refuses a second asset with the same name). When an upload fails,
// the release is observed again before anything else: the asset may have
// landed (a dropped connection after GitHub processed it), may be a leftover
// in state "starter", or may be absent; only then is it uploaded once more.
func (a *applier) uploadAsset(ctx context.Context, cs *state.ChartState, releaseID int64, ch Change, sig *state.BlobSignature) error {
	if ch.Action == ActionReplace {
		old, _ := strconv.ParseInt(ch.After["replaces"], 10, 64)
		if err := a.w.Releases.DeleteAsset(ctx, old); err != nil && !errors.Is(err, state.ErrNotFound) {
			return fmt.Errorf("delete asset %d before replacing it: %w", old, err)
		}
	}
	name, want := ch.After["name"], ch.After["digest"]
	const attempts = 3
	var lastErr error
	for attempt := 0; attempt < attempts; attempt++ {
		body, size, done, err := a.assetBody(cs, ch, sig)
		if err != nil {
			return err
		}
		got, err := a.w.Releases.UploadAsset(ctx, releaseID, name, body, size)
		done()
		if err == nil {
			if want != KnownAfterApply && got.Digest != "" && got.Digest != want {
				return fmt.Errorf("uploaded %s has sha256 %s, expected %s: the file changed since the plan", name, got.Digest, want)
			}
			return nil
		}
		lastErr = err
		if ctx.Err() != nil {
			return err
		}
		rel, gerr := a.w.Releases.GetRelease(ctx, releaseID)
		if gerr != nil {
			return fmt.Errorf("upload %s: %w (observing the release again failed: %v)", name, err, gerr)
		}
		have := findAsset(rel.Assets, name)
		switch {
		case have == nil:
			continue
		case have.State == "uploaded" && (want == KnownAfterApply || have.Digest == "" || have.Digest == want):
			return nil
		default:
			// A leftover of a failed upload, or other content under
			// our name that appeared meanwhile: clear it and retry.
			if derr := a.w.Releases.DeleteAsset(ctx, have.ID); derr != nil && !errors.Is(derr, state.ErrNotFound) {
				return fmt.Errorf("upload %s: %w (removing the leftover asset %d failed: %v)", name, err, have.ID, derr)
			}
		}
	}
	return fmt.Errorf("upload %s: %w", name, lastErr)
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
func (a *applier) confirm(ctx context.Context, releaseID int64, wanted []Change) error {
	rel, err := a.w.Releases.GetRelease(ctx, releaseID)
	if err != nil {
		return fmt.Errorf("confirm assets of release %d: %w", releaseID, err)
	}
	var problems []string
	for _, ch := range wanted {
		name, want := ch.After["name"], ch.After["digest"]
		have := findAsset(rel.Assets, name)
		switch {
		case have == nil:
			problems = append(problems, name+" missing")
		case have.State != "uploaded":
			problems = append(problems, fmt.Sprintf("%s in state %q", name, have.State))
		case want != KnownAfterApply && have.Digest != "" && have.Digest != want:
			problems = append(problems, fmt.Sprintf("%s has sha256 %s, expected %s", name, short(have.Digest), short(want)))
		case want != KnownAfterApply && have.Digest == "" && ch.After["size"] != "" && fmt.Sprint(have.Size) != ch.After["size"]:
			problems = append(problems, fmt.Sprintf("%s has %d bytes, expected %s", name, have.Size, ch.After["size"]))
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
