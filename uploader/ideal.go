package uploader

import (
	"cmp"
	"slices"
)

// IdealRounds is the fewest rounds in which an uploader with concurrency
// writes in flight, each taking one round, could carry out the plan's
// creates and updates, a write going only once what it names (its
// section, its file) is written: the bound that dependencies and the run's
// tail put on any uploader, whatever its overheads. The benchmark divides
// by it to say the ratio to its limit the best uploader could reach.
//
// The rounds are found by list scheduling, the steps with the longest
// chain of steps waiting behind them first (Hu's rule, optimal when each
// step waits for at most one other), and are never below the two lower
// bounds: all writes at concurrency a round, and the longest chain.
func (p *Plan) IdealRounds(concurrency int) int {
	concurrency = max(concurrency, 1)
	var todo []Step
	for _, st := range p.Steps {
		if st.Action == Create || st.Action == Update {
			todo = append(todo, st)
		}
	}
	if len(todo) == 0 {
		return 0
	}
	q := newQueue(todo)
	// height[i] is the longest chain from step i to a step nothing waits for.
	height := make([]int, len(todo))
	var heightOf func(i int) int
	heightOf = func(i int) int {
		if height[i] > 0 {
			return height[i]
		}
		h := 1
		for _, j := range q.after[i] {
			h = max(h, 1+heightOf(j))
		}
		height[i] = h
		return h
	}
	for i := range todo {
		heightOf(i)
	}
	waits := slices.Clone(q.waits)
	ready := slices.Clone(q.ready)
	rounds, left := 0, len(todo)
	for left > 0 && len(ready) > 0 {
		slices.SortFunc(ready, func(a, b int) int {
			return cmp.Or(cmp.Compare(height[b], height[a]), cmp.Compare(a, b))
		})
		n := min(concurrency, len(ready))
		now := slices.Clone(ready[:n])
		ready = ready[n:]
		for _, i := range now {
			for _, j := range q.after[i] {
				if waits[j]--; waits[j] == 0 {
					ready = append(ready, j)
				}
			}
		}
		left -= n
		rounds++
	}
	return max(rounds, (len(todo)+concurrency-1)/concurrency, slices.Max(height))
}
