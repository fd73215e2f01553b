package githubtest

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"

	"github.com/relctl/relctl/naming"
)

// The emulator stores an upload under the name relctl predicts
// (naming.AssetName), and refuses a name with nothing left, as GitHub
// stores no asset without a name.
func TestUploadAsset_storesTheNameRelctlPredicts(t *testing.T) {
	ctx := context.Background()
	_, gh := startServer(t, Options{})
	rel, _, err := gh.Repositories.CreateRelease(ctx, "acme", "charts", &github.RepositoryRelease{TagName: github.String("v1"), Draft: github.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, sent := range []string{"my file (1).zip", "notes~draft:v1.md", "chart-1.0.0+build.5.tgz", ".env"} {
		a, _, err := upload(ctx, t, gh, rel.GetID(), sent, []byte(sent))
		if err != nil {
			t.Fatalf("upload %q: %v", sent, err)
		}
		if want := naming.AssetName(sent); a.GetName() != want {
			t.Errorf("upload %q stored %q, relctl predicts %q", sent, a.GetName(), want)
		}
	}
	_, _, err = upload(ctx, t, gh, rel.GetID(), "()", []byte("x"))
	if status, code := errorCode(err); status != http.StatusUnprocessableEntity || code != "missing_field" {
		t.Errorf("upload \"()\": err = %v; want 422 missing_field", err)
	}
}

func TestLinkHeader_followsGitHubRelationOrder(t *testing.T) {
	const base = "https://h/repositories/1/releases"
	for _, tc := range []struct {
		query            string
		page, per, total int
		want             string
	}{
		{"per_page=100", 1, 100, 100, ""},
		{"", 1, 30, 0, ""},
		{"per_page=100", 1, 100, 250, `<https://h/repositories/1/releases?per_page=100&page=2>; rel="next", <https://h/repositories/1/releases?per_page=100&page=3>; rel="last"`},
		{"page=3&per_page=100", 3, 100, 250, `<https://h/repositories/1/releases?page=2&per_page=100>; rel="prev", <https://h/repositories/1/releases?page=1&per_page=100>; rel="first"`},
		{"page=9", 9, 30, 40, `<https://h/repositories/1/releases?page=2>; rel="prev", <https://h/repositories/1/releases?page=1>; rel="first"`},
	} {
		if got := linkHeader(base, tc.query, tc.page, tc.per, tc.total); got != tc.want {
			t.Errorf("linkHeader(%q, page %d) diff (-want +got):\n%s", tc.query, tc.page, cmp.Diff(tc.want, got))
		}
	}
}

func TestSeedRelease_assignsIDsDigestsAndReturnsDeepCopies(t *testing.T) {
	s := New(Options{})
	r := s.SeedRelease("acme", "charts", Release{TagName: "v1", Assets: []Asset{{Name: "a", Data: []byte("a")}}})
	if r.ID != 1000 || r.Assets[0].ID != 1000 || r.Assets[0].State != "uploaded" || r.Assets[0].Size != 1 ||
		r.Assets[0].Digest != "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb" {
		t.Fatalf("seeded = %+v", r)
	}
	r.Assets[0].Data[0] = 'z'
	got := s.Releases("acme", "charts")
	got[0].Assets[0].Data[0] = 'y'
	if string(s.Releases("acme", "charts")[0].Assets[0].Data) != "a" {
		t.Error("state shares memory with a returned copy")
	}
	if next := s.SeedRelease("acme", "charts", Release{ID: 5000, TagName: "v2"}); next.ID != 5000 {
		t.Errorf("explicit ID = %d", next.ID)
	}
	if next := s.SeedRelease("acme", "charts", Release{TagName: "v3"}); next.ID != 5001 {
		t.Errorf("ID after an explicit one = %d, want 5001", next.ID)
	}
}
