//go:build !race

package review_test

// raceEnabled: the race detector slows each request tenfold, so floods are smaller.
const raceEnabled = false
