package githubtest

import "github.com/relctl/relctl/naming"

// NormalizeAssetName returns the name the emulator stores for an uploaded
// asset. GitHub's rule is undocumented (softprops/action-gh-release#159);
// the emulator applies the very approximation relctl predicts names with,
// naming.AssetName, so the two cannot disagree ("my file (1).zip" →
// "my.file.1.zip"). A clean name is returned unchanged. The result may be ""
// (no usable character), which the upload endpoint rejects with 422
// missing_field.
func NormalizeAssetName(name string) string { return naming.AssetName(name) }
