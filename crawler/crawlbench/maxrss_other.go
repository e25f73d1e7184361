//go:build unix && !darwin

package crawlbench

// maxrssUnit is the unit of getrusage's ru_maxrss: kilobytes on Linux and the BSDs.
const maxrssUnit = 1024
