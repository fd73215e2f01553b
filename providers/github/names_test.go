package github

import "testing"

// NormalizeAssetName is naming.AssetName (tested there); these cases pin
// that the client predicts GitHub's renames through it.
func TestNormalizeAssetName_followsGitHubsRenaming(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"podinfo-6.1.0.tgz", "podinfo-6.1.0.tgz"},
		{"CHANGELOG.md", "CHANGELOG.md"},
		{"my file (1).zip", "my.file.1.zip"},
		{"tobwen-1.1.0-1~buster_amd64.deb", "tobwen-1.1.0-1.buster_amd64.deb"}, // softprops/action-gh-release#159
		{"app.prod-v1.3.0-(15-5)-6064eac-release.apk", "app.prod-v1.3.0-.15-5.-6064eac-release.apk"},
		{"pkg-1:2.0.tar.gz", "pkg-1.2.0.tar.gz"},
		{"chart-1.0.0+build.5.tgz", "chart-1.0.0+build.5.tgz"},
		{"a5_ !#$%&'()+,-.0123456789;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{}~.txt",
			"a5_.+.-.0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ._.abcdefghijklmnopqrstuvwxyz.txt"}, // travis-ci/dpl#821, '+' kept
		{".env", "env"},
		{"trailing.", "trailing"},
		{"a..b", "a.b"},
		{"naïve.txt", "na.ve.txt"},
		{"...", ""},
	} {
		if got := NormalizeAssetName(tc.in); got != tc.want {
			t.Errorf("NormalizeAssetName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestContentType_byExtension(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"podinfo-6.1.0.tgz", "application/gzip"},
		{"src.tar.gz", "application/gzip"},
		{"podinfo-attestation-lineage.json", "application/json"},
		{"CHANGELOG.md", "text/markdown; charset=utf-8"},
		{"README.MD", "text/markdown; charset=utf-8"},
		{"podinfo-6.1.0.tgz.sig", "text/plain"},
		{"podinfo-6.1.0.tgz.pem", "application/x-pem-file"},
		{"LICENSE", "text/plain; charset=utf-8"},
		{"podinfo-6.1.0.tgz.prov", "text/plain"},
		{"bundle.sigstore", "application/octet-stream"},
		{"noext", "application/octet-stream"},
	} {
		if got := ContentType(tc.name); got != tc.want {
			t.Errorf("ContentType(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
