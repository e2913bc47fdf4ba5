# cmake -DDTC=<dtc> -DINPUT=<dtb> -DOUTPUT=<dtb> -P add_reserved.cmake
#
# QEMU's own device trees lack the /reserved-memory node OpenSBI adds at
# boot. This decompiles INPUT, adds two /memreserve/ entries and a
# /reserved-memory node shaped like OpenSBI's (two no-map firmware
# regions), one region the OS may map, and one dynamically placed pool
# without reg, then compiles the result to OUTPUT.
foreach(var DTC INPUT OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "add_reserved.cmake: ${var} not set")
  endif()
endforeach()

execute_process(COMMAND ${DTC} -q -I dtb -O dts -o ${OUTPUT}.dts ${INPUT} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "dtc could not decompile ${INPUT}")
endif()
file(READ ${OUTPUT}.dts dts)

string(REPLACE "/dts-v1/;"
  "/dts-v1/;\n/memreserve/ 0x87e00000 0x100000;\n/memreserve/ 0x87f00000 0x1000;"
  dts "${dts}")
string(APPEND dts [=[

/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;

		mmode_resv0@80000000 {
			reg = <0x0 0x80000000 0x0 0x40000>;
			no-map;
		};

		mmode_resv1@80040000 {
			reg = <0x0 0x80040000 0x0 0x20000>;
			no-map;
		};

		shared@84000000 {
			reg = <0x0 0x84000000 0x0 0x200000>;
		};

		pool {
			size = <0x0 0x400000>;
			alloc-ranges = <0x0 0x80000000 0x0 0x8000000>;
		};
	};
};
]=])
file(WRITE ${OUTPUT}.dts "${dts}")

execute_process(COMMAND ${DTC} -q -I dts -O dtb -o ${OUTPUT} ${OUTPUT}.dts RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "dtc could not compile ${OUTPUT}.dts")
endif()
