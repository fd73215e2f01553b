package github

import (
	"testing"

	gh "github.com/google/go-github/v62/github"
)

func TestResolveURLs_publicEnterpriseAndGHECom(t *testing.T) {
	for _, tc := range []struct{ api, upload, wantAPI, wantUpload string }{
		{"", "", "https://api.github.com/", "https://uploads.github.com/"},
		{"https://api.github.com", "", "https://api.github.com/", "https://uploads.github.com/"},
		{"https://ghe.example.com", "", "https://ghe.example.com/api/v3/", "https://ghe.example.com/api/uploads/"},
		{"https://ghe.example.com/", "", "https://ghe.example.com/api/v3/", "https://ghe.example.com/api/uploads/"},
		{"https://ghe.example.com/api/v3", "", "https://ghe.example.com/api/v3/", "https://ghe.example.com/api/uploads/"},
		{"https://ghe.example.com/api/v3/", "https://up.example.com/api/uploads", "https://ghe.example.com/api/v3/", "https://up.example.com/api/uploads/"},
		{"http://127.0.0.1:8080/", "", "http://127.0.0.1:8080/api/v3/", "http://127.0.0.1:8080/api/uploads/"},
		{"https://api.acme.ghe.com", "", "https://api.acme.ghe.com/", "https://uploads.acme.ghe.com/"},
	} {
		api, up, err := resolveURLs(tc.api, tc.upload)
		if err != nil {
			t.Errorf("resolveURLs(%q, %q): %v", tc.api, tc.upload, err)
			continue
		}
		if api.String() != tc.wantAPI || up.String() != tc.wantUpload {
			t.Errorf("resolveURLs(%q, %q) = %s, %s; want %s, %s", tc.api, tc.upload, api, up, tc.wantAPI, tc.wantUpload)
		}
	}
}

func TestResolveURLs_matchesWithEnterpriseURLs(t *testing.T) {
	for _, root := range []string{"https://ghe.example.com", "https://ghe.example.com/api/v3", "http://127.0.0.1:1/", "https://x.api.example.com/"} {
		api, up, err := resolveURLs(root, root)
		if err != nil {
			t.Fatal(err)
		}
		want, err := gh.NewClient(nil).WithEnterpriseURLs(root, root)
		if err != nil {
			t.Fatal(err)
		}
		if api.String() != want.BaseURL.String() || up.String() != want.UploadURL.String() {
			t.Errorf("%s: got %s, %s; go-github says %s, %s", root, api, up, want.BaseURL, want.UploadURL)
		}
	}
}

func TestResolveURLs_rejectsUnusableURLs(t *testing.T) {
	for _, bad := range []string{"ghe.example.com", "ftp://ghe.example.com", "https://user:pw@ghe.example.com"} {
		if _, _, err := resolveURLs(bad, ""); err == nil {
			t.Errorf("resolveURLs(%q) accepted it", bad)
		}
	}
}
