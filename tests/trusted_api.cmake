# test_trusted_api links the loader's trusted API (src/loader/trusted.c) into the test
# program itself: the loader is an executable of its own, not part of libcove, and the test
# defines the cove_loader state that main.c defines in cove-loader.  Include this file from
# tests/CMakeLists.txt after the foreach() that registers the test_*.c programs.
if(TARGET test_trusted_api)
  target_sources(test_trusted_api PRIVATE ${PROJECT_SOURCE_DIR}/src/loader/trusted.c)
endif()
