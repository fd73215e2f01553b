package github

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/relctl/relctl/providers/github/githubtest"
	"github.com/relctl/relctl/state"
)

const testToken = "ghs_emulatorSecretToken0123456789"

// emulated starts the GitHub emulator with repository acme/charts and a
// Client for it whose waits are recorded instead of slept.
func emulated(t *testing.T) (*githubtest.Server, *Client, *sleeps) {
	t.Helper()
	srv, err := githubtest.Start(githubtest.Options{Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.AddRepo("acme", "charts")
	sl := &sleeps{}
	c, err := New(Options{APIURL: srv.URL(), Token: testToken, Owner: "acme", Repo: "charts", Sleep: sl.sleep})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, sl
}

func sha(data string) string {
	sum := sha256.Sum256([]byte(data))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func TestListReleases_followsPaginationPastOneHundredWithDrafts(t *testing.T) {
	srv, c, _ := emulated(t)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 130 {
		srv.SeedRelease("acme", "charts", githubtest.Release{
			TagName:   fmt.Sprintf("chart-v1.0.%d", i),
			Draft:     i%10 == 0,
			CreatedAt: base.Add(time.Duration(i) * time.Minute),
		})
	}
	rels, err := c.ListReleases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 130 {
		t.Fatalf("listed %d releases, want 130", len(rels))
	}
	drafts := 0
	tags := map[string]bool{}
	for _, r := range rels {
		tags[r.TagName] = true
		if r.Draft {
			drafts++
		}
	}
	if len(tags) != 130 || drafts != 13 {
		t.Errorf("got %d distinct tags and %d drafts, want 130 and 13", len(tags), drafts)
	}
	if n := srv.Count("GET /repos/{owner}/{repo}/releases") + srv.Count("GET /repositories/{repository_id}/releases"); n != 2 {
		t.Errorf("listing took %d requests, want 2 pages of 100", n)
	}
}

func TestListReleases_decodesDigestsImmutableAndAssetState(t *testing.T) {
	srv, c, _ := emulated(t)
	created := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	seeded := srv.SeedRelease("acme", "charts", githubtest.Release{
		TagName: "podinfo-v6.0.0", Name: "podinfo: v6.0.0", Body: "notes", TargetCommitish: "abc123",
		Immutable: true, Prerelease: true, CreatedAt: created,
		Assets: []githubtest.Asset{
			{Name: "podinfo-6.0.0.tgz", Data: []byte("chart bytes")},
			{Name: "old.txt", Data: []byte("legacy"), NoDigest: true},
			{Name: "half.json", Data: []byte("{"), State: "starter"},
		},
	})
	rels, err := c.ListReleases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []state.Release{{
		ID: seeded.ID, TagName: "podinfo-v6.0.0", Name: "podinfo: v6.0.0", Body: "notes",
		Prerelease: true, Immutable: true, TargetCommitish: "abc123", CreatedAt: created,
		Assets: []state.Asset{
			{ID: seeded.Assets[0].ID, Name: "podinfo-6.0.0.tgz", Size: 11, State: "uploaded", Digest: sha("chart bytes")},
			{ID: seeded.Assets[1].ID, Name: "old.txt", Size: 6, State: "uploaded"},
			{ID: seeded.Assets[2].ID, Name: "half.json", Size: 1, State: "starter", Digest: sha("{")},
		},
	}}
	if diff := cmp.Diff(want, rels); diff != "" {
		t.Errorf("ListReleases (-want +got):\n%s", diff)
	}
}

func TestAssetDigest_hashesAnAssetGitHubHasNoDigestFor(t *testing.T) {
	srv, c, _ := emulated(t)
	rel := srv.SeedRelease("acme", "charts", githubtest.Release{
		TagName: "a-v1", Assets: []githubtest.Asset{{Name: "LICENSE", Data: []byte("Apache-2.0\n"), NoDigest: true}},
	})
	got, err := c.AssetDigest(context.Background(), rel.Assets[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != sha("Apache-2.0\n") {
		t.Errorf("AssetDigest = %s, want %s", got, sha("Apache-2.0\n"))
	}
}

func TestAssetDigest_missingAssetIsNotFound(t *testing.T) {
	_, c, _ := emulated(t)
	_, err := c.AssetDigest(context.Background(), 424242)
	if !errors.Is(err, state.ErrNotFound) {
		t.Errorf("got %v, want ErrNotFound", err)
	}
}

func TestRelease_draftUploadPublishDeleteLifecycle(t *testing.T) {
	srv, c, _ := emulated(t)
	ctx := context.Background()
	spec := state.ReleaseSpec{TagName: "podinfo-v6.1.0", TargetCommitish: "deadbeef", Name: "podinfo: v6.1.0",
		Body: "first notes", Draft: true, MakeLatest: "false"}
	draft, err := c.CreateRelease(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !draft.Draft || draft.TagName != spec.TagName || draft.Name != spec.Name || draft.Body != "first notes" {
		t.Errorf("created %+v, want a draft matching the spec", draft)
	}

	data := "tgz bytes"
	asset, err := c.UploadAsset(ctx, draft.ID, "podinfo-6.1.0.tgz", strings.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if asset.Name != "podinfo-6.1.0.tgz" || asset.State != "uploaded" || asset.Size != 9 || asset.Digest != sha(data) {
		t.Errorf("uploaded %+v", asset)
	}

	spec.Draft, spec.Body = false, "final notes"
	pub, err := c.UpdateRelease(ctx, draft.ID, spec)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Draft || pub.Body != "final notes" || len(pub.Assets) != 1 {
		t.Errorf("published %+v, want a published release with its asset", pub)
	}
	held := srv.Releases("acme", "charts")
	if len(held) != 1 || held[0].Draft || held[0].MakeLatest != "false" || held[0].TargetCommitish != "deadbeef" {
		t.Errorf("emulator holds %+v, want one published release, make_latest false, at deadbeef", held)
	}

	got, err := c.GetRelease(ctx, draft.ID)
	if err != nil || got.Body != "final notes" {
		t.Fatalf("GetRelease = %+v, %v", got, err)
	}
	if err := c.DeleteAsset(ctx, asset.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRelease(ctx, draft.ID); err != nil {
		t.Fatal(err)
	}
	if held := srv.Releases("acme", "charts"); len(held) != 0 {
		t.Errorf("emulator still holds %+v", held)
	}
	if _, err := c.GetRelease(ctx, draft.ID); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("GetRelease after delete: %v, want ErrNotFound", err)
	}
}

func TestUpdateRelease_draftSendsNoMakeLatest(t *testing.T) {
	srv, c, _ := emulated(t)
	rel := srv.SeedRelease("acme", "charts", githubtest.Release{TagName: "a-v1", Draft: true})
	_, err := c.UpdateRelease(context.Background(), rel.ID, state.ReleaseSpec{TagName: "a-v1", Name: "n", Draft: true, MakeLatest: "true"})
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Releases("acme", "charts")[0]; got.MakeLatest != "" || !got.Draft || got.Name != "n" {
		t.Errorf("emulator holds %+v, want a renamed draft and make_latest never sent", got)
	}
}

func TestUploadAsset_streamsFromOffsetWithContentTypeByExtension(t *testing.T) {
	srv, c, _ := emulated(t)
	rel := srv.SeedRelease("acme", "charts", githubtest.Release{TagName: "a-v1", Draft: true})
	body := strings.NewReader("skip:## Changelog\n")
	if _, err := body.Seek(5, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadAsset(context.Background(), rel.ID, "CHANGELOG.md", body, 13); err != nil {
		t.Fatal(err)
	}
	a := srv.Releases("acme", "charts")[0].Assets[0]
	if a.Name != "CHANGELOG.md" || a.ContentType != "text/markdown; charset=utf-8" || string(a.Data) != "## Changelog\n" {
		t.Errorf("emulator holds asset %q (%s) = %q", a.Name, a.ContentType, a.Data)
	}
}

func TestUploadAsset_duplicateNameIsAlreadyExists(t *testing.T) {
	srv, c, _ := emulated(t)
	rel := srv.SeedRelease("acme", "charts", githubtest.Release{
		TagName: "a-v1", Draft: true, Assets: []githubtest.Asset{{Name: "a-1.tgz", Data: []byte("old")}},
	})
	_, err := c.UploadAsset(context.Background(), rel.ID, "a-1.tgz", strings.NewReader("new"), 3)
	if !errors.Is(err, state.ErrAlreadyExists) {
		t.Fatalf("got %v, want ErrAlreadyExists", err)
	}
	if !strings.Contains(err.Error(), "upload asset a-1.tgz to release") {
		t.Errorf("error %q does not say what was being done", err)
	}
}

func TestClient_enterpriseLayoutUsesAPIv3AndReleaseUploadURL(t *testing.T) {
	srv, c, _ := emulated(t)
	rel := srv.SeedRelease("acme", "charts", githubtest.Release{TagName: "a-v1", Draft: true})
	if _, err := c.ListReleases(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadAsset(context.Background(), rel.ID, "x.json", bytes.NewReader([]byte("{}")), 2); err != nil {
		t.Fatal(err)
	}
	log := srv.Log()
	if len(log) != 2 {
		t.Fatalf("log %+v, want a list and an upload (the upload URL came from the list)", log)
	}
	if !strings.HasPrefix(log[0].Path, "/api/v3/repos/acme/charts/releases") {
		t.Errorf("list went to %s, want the /api/v3/ prefix", log[0].Path)
	}
	if want := fmt.Sprintf("/api/uploads/repos/acme/charts/releases/%d/assets", rel.ID); log[1].Path != want {
		t.Errorf("upload went to %s, want %s", log[1].Path, want)
	}
}

func TestClient_satisfiesReleaseReader(t *testing.T) {
	var _ state.ReleaseReader = (*Client)(nil)
}
