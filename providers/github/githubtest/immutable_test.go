package githubtest

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-github/v62/github"
)

func TestImmutable_publishedReleaseRefusesAssetChangesButDraftAcceptsThem(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{Immutable: true})

	// The flow GitHub recommends: upload while a draft, then publish.
	d, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v1"), Draft: github.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := upload(ctx, t, gh, d.GetID(), "chart.tgz", []byte("c"))
	if err != nil {
		t.Fatalf("upload to draft: %v", err)
	}
	pub, _, err := gh.Repositories.EditRelease(ctx, "acme", "charts", d.GetID(), &github.RepositoryRelease{Draft: github.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Releases("acme", "charts")[0].Immutable {
		t.Fatalf("published release not immutable: %+v", pub)
	}

	_, _, err = upload(ctx, t, gh, d.GetID(), "late.tgz", []byte("l"))
	var er *github.ErrorResponse
	if !asErr(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity || er.Message != "Cannot upload assets to an immutable release." {
		t.Fatalf("upload after publish: %v; want GitHub's 422", err)
	}
	if _, err := gh.Repositories.DeleteReleaseAsset(ctx, "acme", "charts", a.GetID()); !asErr(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("delete asset: %v; want 422", err)
	}
	if _, _, err := gh.Repositories.EditRelease(ctx, "acme", "charts", d.GetID(), &github.RepositoryRelease{TagName: github.String("v2")}); !asErr(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("retag: %v; want 422", err)
	}
	// Title and notes stay editable.
	if _, _, err := gh.Repositories.EditRelease(ctx, "acme", "charts", d.GetID(), &github.RepositoryRelease{Body: github.String("notes")}); err != nil {
		t.Errorf("edit notes: %v", err)
	}
	if rs := s.Releases("acme", "charts"); len(rs[0].Assets) != 1 || rs[0].TagName != "v1" || rs[0].Body != "notes" {
		t.Errorf("state = %+v", rs[0])
	}
}

func TestSetImmutable_affectsOnlyReleasesPublishedAfterwards(t *testing.T) {
	ctx := context.Background()
	s, gh := startServer(t, Options{})
	before := s.SeedRelease("acme", "charts", Release{TagName: "v1"})
	s.SetImmutable(true)
	if _, _, err := upload(ctx, t, gh, before.ID, "x.tgz", []byte("x")); err != nil {
		t.Fatalf("upload to a release published before the switch: %v", err)
	}
	r, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v2")})
	if err != nil || !s.Releases("acme", "charts")[1].Immutable {
		t.Fatalf("release published after the switch: %v, immutable=%v", err, s.Releases("acme", "charts")[1].Immutable)
	}
	s.SetImmutable(false)
	if _, _, err := upload(ctx, t, gh, r.GetID(), "y.tgz", []byte("y")); err == nil {
		t.Error("turning the setting off unlocked an immutable release")
	}
}
