package naming

import "strings"

// AssetName predicts the name GitHub stores for an uploaded release asset.
//
// GitHub "renames asset filenames that have special characters,
// non-alphanumeric characters, and leading or trailing periods" and does not
// document the rule (docs.github.com, "Upload a release asset";
// softprops/action-gh-release#159). This approximation follows the samples
// recorded in travis-ci/dpl#821, which match Rails' parameterize with "."
// as the separator, and GitHub's statement that a '+' sent as %2B is kept
// (github/rest-api-description#2968; relctl's upload always encodes it so):
//
//   - the characters kept are ASCII letters, digits, '-', '_' and '+';
//   - every run of other characters, '.' included, becomes a single '.'
//     ("a (1).tgz" → "a.1.tgz", "x~y" → "x.y", "a..b" → "a.b", "a@b" → "a.b");
//   - leading and trailing '.' are removed (".env" → "env").
//
// A name with no kept character ("()", "...") gives "": GitHub stores no
// such asset, so relctl refuses the file before any upload and the emulator
// answers 422 missing_field. The approximation is known to differ in one
// way: GitHub transliterates non-ASCII letters ("ż" → "z", "æ" → "ae")
// where this function treats them as special characters. Asset names relctl
// generates are ASCII.
func AssetName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	pendingDot := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !keptInAssetName(c) {
			pendingDot = true
			continue
		}
		if pendingDot && b.Len() > 0 {
			b.WriteByte('.')
		}
		pendingDot = false
		b.WriteByte(c)
	}
	return b.String()
}

func keptInAssetName(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '-' || c == '_' || c == '+'
}
