// etcd's own main lives in a module that replaces its parts with local paths,
// so it cannot be built from the module proxy; its server package can.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
