#include "fuzztargets.h"

QList<FuzzTargets::Entry> FuzzTargets::all()
{
    return {{"sseParser", &sseParser},
            {"pushRequest", &pushRequest},
            {"jwt", &jwt},
            {"jwtPrincipal", &jwtPrincipal},
            {"controlProtocol", &controlProtocol},
            {"configLoader", &configLoader},
            {"pauseRequest", &pauseRequest},
            {"faultRequest", &faultRequest},
            {"userDirectory", &userDirectory},
            {"requestHead", &requestHead},
            {"httpSocket", &httpSocket}};
}
