/* The plugin boundary of SwiftTorch (placeholder until the plugin ABI lands). */
#ifndef SWIFTTORCH_PLUGIN_H
#define SWIFTTORCH_PLUGIN_H
#define SWIFTTORCH_PLUGIN_ABI_VERSION 1
#endif
