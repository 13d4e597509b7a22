package spectral

import "fmt"

func errorf(format string, args ...any) error {
	return fmt.Errorf("spectral: "+format, args...)
}
