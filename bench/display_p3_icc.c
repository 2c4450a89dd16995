/* bench/display_p3_icc.c: writes a Display P3 ICC profile (P3 primaries, D65 white, the sRGB tone curve),
 * which Debian does not ship, for bench/quality's wide-gamut inputs.
 *   cc bench/display_p3_icc.c -llcms2 -o display-p3-icc && ./display-p3-icc OUT.icc */
#include <lcms2.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.icc\n", argv[0]);
        return 2;
    }
    cmsCIExyY white = {0.3127, 0.3290, 1.0}; /* D65 */
    cmsCIExyYTRIPLE primaries = {{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
    /* the sRGB curve: type 4 parametric, gamma 2.4, a 1/1.055, b 0.055/1.055, c 1/12.92, d 0.04045 */
    double srgb[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
    cmsToneCurve *curve = cmsBuildParametricToneCurve(NULL, 4, srgb);
    cmsToneCurve *curves[3] = {curve, curve, curve};
    cmsHPROFILE p3 = cmsCreateRGBProfile(&white, &primaries, curves);
    if (!p3) return 1;
    cmsMLU *desc = cmsMLUalloc(NULL, 1);
    cmsMLUsetASCII(desc, "en", "US", "Display P3 (bench/quality)");
    cmsWriteTag(p3, cmsSigProfileDescriptionTag, desc);
    int ok = cmsSaveProfileToFile(p3, argv[1]);
    cmsMLUfree(desc);
    cmsFreeToneCurve(curve);
    cmsCloseProfile(p3);
    return ok ? 0 : 1;
}
