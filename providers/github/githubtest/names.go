package githubtest

import "strings"

// NormalizeAssetName returns the name GitHub stores for an uploaded asset.
//
// GitHub renames assets whose names contain special characters, but the rule
// is undocumented (softprops/action-gh-release#159). This is the documented
// approximation relctl relies on (state.AssetName is the same rule),
// matching the observed cases ("my file (1).zip" -> "my.file.1.zip"):
//
//  1. every character outside [A-Za-z0-9._+-] (spaces, parentheses, '~', '@',
//     ':', '/', non-ASCII, ...) becomes '.';
//  2. runs of '.' collapse into one;
//  3. leading and trailing '.' are removed.
//
// A name that is already clean is returned unchanged, so clients that only
// upload clean names never depend on the approximation. The result may be
// "" (nothing usable), which the upload endpoint rejects.
func NormalizeAssetName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	lastDot := false
	for _, r := range name {
		keep := r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("._+-", r))
		if !keep || r == '.' {
			if !lastDot {
				b.WriteByte('.')
			}
			lastDot = true
			continue
		}
		b.WriteRune(r)
		lastDot = false
	}
	return strings.Trim(b.String(), ".")
}
