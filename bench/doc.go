// Package bench measures relctl at monorepo scale (issue 12): it generates a
// workspace of N charts, serves the in-process OCI registry and the GitHub
// emulator behind a meter that adds a per-request latency and counts requests
// and bytes by service and kind, runs the relctl binary against them for each
// scenario (first publish, no-change plan, drift, verify, plan after one chart
// changed), and runs a seed-style baseline through the same provider clients.
//
// relctl runs as a child process so that its CPU time and peak RSS are its
// own: the servers and the baseline run in this process. The package never
// reaches the network beyond loopback (and, for the paced run, this host's own
// address), and it changes nothing in relctl.
package bench
