package streamguide_test

import "github.com/hashicorp/hcl/v2"

func hclStart() hcl.Pos { return hcl.InitialPos }
