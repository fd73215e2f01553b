package naming

import (
	"strings"
	"testing"
)

// FuzzAssetName: the name relctl predicts for an upload is one GitHub keeps
// as it is: normalising it again changes nothing, it holds only the kept
// characters and single dots, and it neither starts nor ends with a dot.
// A name with no kept character at all gives "": relctl refuses such a file.
func FuzzAssetName(f *testing.F) {
	for _, s := range []string{"podinfo-1.2.0.tgz", "a (1).tgz", "x~y", "a..b", ".env", "...", "ż.txt", "c++.tgz", "", "a@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := AssetName(name)
		if strings.IndexFunc(name, func(r rune) bool { return r < 0x80 && keptInAssetName(byte(r)) }) < 0 {
			if got != "" {
				t.Fatalf("AssetName(%q) = %q, want \"\": no character GitHub keeps", name, got)
			}
			return
		}
		if again := AssetName(got); again != got {
			t.Fatalf("AssetName(%q) = %q, but AssetName(%q) = %q: not stable", name, got, got, again)
		}
		if got == "" || strings.HasPrefix(got, ".") || strings.HasSuffix(got, ".") || strings.Contains(got, "..") {
			t.Fatalf("AssetName(%q) = %q: empty, or a dot GitHub would change", name, got)
		}
		for i := 0; i < len(got); i++ {
			if got[i] != '.' && !keptInAssetName(got[i]) {
				t.Fatalf("AssetName(%q) = %q holds %q", name, got, got[i])
			}
		}
	})
}
