// The `ferry` binary: wiring only; see src/app/commands.cc.
#include "app/commands.h"

int main(int argc, char** argv) { return ferry::app::RunCli(argc, argv); }
