//go:build race

package nn

// raceEnabled reports a -race build (sync.Pool then drops items at random).
const raceEnabled = true
