package naming

import "testing"

func TestOCITag_replacesPlusLikeHelm(t *testing.T) {
	for version, want := range map[string]string{
		"1.2.0":               "1.2.0",
		"1.2.0+build.1":       "1.2.0_build.1",
		"1.2.0-rc.1+a+b":      "1.2.0-rc.1_a_b",
		"0.0.0-alpha_already": "0.0.0-alpha_already",
	} {
		if got := OCITag(version); got != want {
			t.Errorf("OCITag(%q) = %q, want %q", version, got, want)
		}
	}
}

// The cases come from renames GitHub was seen to make (the issues cited in
// AssetName's comment) and from the edge cases relctl and the emulator once
// disagreed on.
func TestAssetName_followsGitHubsRenames(t *testing.T) {
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
		{".hidden", "hidden"},
		{"trailing.", "trailing"},
		{"a..b", "a.b"},
		{"notes~draft:v1.md", "notes.draft.v1.md"},
		{"user@example.txt", "user.example.txt"},
		{"  .hidden~name:v1..tgz.", "hidden.name.v1.tgz"},
		{"dir/sub/a.txt", "dir.sub.a.txt"},
		{"naïve.txt", "na.ve.txt"},
		{"()", ""},
		{"...", ""},
		{"", ""},
	} {
		if got := AssetName(tc.in); got != tc.want {
			t.Errorf("AssetName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
