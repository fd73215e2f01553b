// Package helmcompat holds no code. Its tests load what relctl writes with
// helm's own pkg/repo (repo.LoadIndexFile), which relctl itself does not
// import: pkg/repo pulls helm's getter and through it kubectl and kustomize.
// Only this package's test binary pays for that.
package helmcompat
