# cmake -DSEEDS=<dir> -DCORPUS=<dir> -P reset_corpus.cmake
#
# Restarts the fuzz corpus from the seeds, so every smoke run starts from
# the same inputs (libFuzzer adds what it finds to the corpus directory).
file(REMOVE_RECURSE ${CORPUS})
file(MAKE_DIRECTORY ${CORPUS})
file(GLOB seeds ${SEEDS}/*)
if(seeds)
  file(COPY ${seeds} DESTINATION ${CORPUS})
endif()
